package dev.nanolith.cli;

import dev.nanolith.deploy.AdminApi;
import dev.nanolith.deploy.AppStore;
import dev.nanolith.deploy.Check;
import dev.nanolith.deploy.Deployer;
import dev.nanolith.deploy.GitHttp;
import dev.nanolith.deploy.MavenLibraries;
import dev.nanolith.gateway.Gateway;
import dev.nanolith.gateway.GatewayConfig;
import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.Pipeline;
import dev.nanolith.runtime.Revision;
import dev.nanolith.runtime.Route;
import dev.nanolith.runtime.Router;
import dev.nanolith.runtime.deadline.Deadlines;
import dev.nanolith.runtime.deadline.Watchdog;
import dev.nanolith.runtime.dispatch.LocalDispatcher;
import dev.nanolith.runtime.dispatch.PlacedDispatcher;
import dev.nanolith.runtime.dispatch.Signature;
import dev.nanolith.runtime.dispatch.WireServer;
import dev.nanolith.runtime.load.AppLoader;
import dev.nanolith.runtime.config.ConfigFile;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.load.Problem;
import dev.nanolith.runtime.observe.Metrics;
import dev.nanolith.runtime.placement.Endpoint;
import dev.nanolith.runtime.placement.Placement;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The whole platform, wired in one place: router, invocation pipeline, app loader, deployer,
 * git server and gateway. {@link #start} gives a running platform with every app of its data
 * directory serving its current revision; {@link #deploy} also serves an app from a directory.
 */
public final class Platform implements AutoCloseable {

    /**
     * How to start a platform.
     *
     * @param gateway        where the gateway listens
     * @param defaultTimeout a function's timeout when its config sets none
     * @param settings       values for {@code ${NAME}} in config and for secrets, before the environment
     * @param dataDir        where apps, their repositories and revisions are kept; null for a
     *                       temporary one that is removed when the platform stops
     */
    public record Options(GatewayConfig gateway, Duration defaultTimeout, Map<String, String> settings, Path dataDir, Placing placing) {

        /** The default timeout of a function. */
        public static final Duration DEFAULT_TIMEOUT = AppLoader.DEFAULT_TIMEOUT;

        public Options {
            settings = Map.copyOf(settings);
        }

        /** Options of a platform whose apps run as monoliths. */
        public Options(GatewayConfig gateway, Duration defaultTimeout, Map<String, String> settings, Path dataDir) {
            this(gateway, defaultTimeout, settings, dataDir, Placing.of(Placement.Mode.MONOLITH));
        }

        /** The same options with apps placed by {@code mode}. */
        public Options placed(Placement.Mode mode) {
            return new Options(gateway, defaultTimeout, settings, dataDir, Placing.of(mode));
        }

        /** Loopback on {@code port}, default limits, settings from the environment, a temporary data directory. */
        public static Options loopback(int port) {
            return new Options(GatewayConfig.loopback(port), DEFAULT_TIMEOUT, Map.of(), null);
        }

        /** The same options with more settings. */
        public Options with(Map<String, String> more) {
            Map<String, String> all = new HashMap<>(settings);
            all.putAll(more);
            return new Options(gateway, defaultTimeout, all, dataDir, placing);
        }

        /** The same options with a data directory that outlives the platform. */
        public Options withData(Path dir) {
            return new Options(gateway, defaultTimeout, settings, dir, placing);
        }
    }

    /**
     * Where this process stands in the placement of apps.
     *
     * @param mode   how apps are split into services
     * @param self   the service this process runs, or null for the platform's own process
     * @param peers  for a service's process: where every service of its revision listens
     * @param wirePort for a service's process: where it takes calls from the others
     * @param secret what proves a connection between the processes of one platform
     * @param compiled for a service's process: the app as the platform's process compiled it
     */
    public record Placing(Placement.Mode mode, String self, Map<String, Endpoint> peers, int wirePort, String secret, Path compiled) {

        public Placing {
            peers = Map.copyOf(peers);
        }

        static Placing of(Placement.Mode mode) {
            return new Placing(mode, null, Map.of(), 0, UUID.randomUUID().toString(), null);
        }

        /** Whether a function runs in this process. */
        boolean local(FunctionSpec function) {
            return self == null ? mode == Placement.Mode.MONOLITH && function.service().equals(function.app())
                    : function.service().equals(self);
        }
    }

    /** How long an app's own tests may run at push time. */
    private static final Duration TEST_TIMEOUT = Duration.ofMinutes(2);

    private final Watchdog watchdog = new Watchdog();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Router router = new Router();
    private final Path dataDir;
    private final boolean temporaryData;
    private final String adminToken;
    private final AppStore store;
    private final AppLoader loader;
    private final Deployer deployer;
    private final Gateway gateway;
    private final Map<String, Integer> revisions = new HashMap<>();
    /** The apps served from directories, whose names no pushed app may take. */
    private final Set<String> fromDirectories = ConcurrentHashMap.newKeySet();
    private final Placing placing;
    private final Map<String, String> settings;
    private final Supervisor supervisor;
    private final PlacedDispatcher dispatcher;
    private final WireServer wire;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final FileChannel dataLock;
    /** Whether every app the platform was started with serves: what readiness probes are told. */
    private volatile boolean ready;

    private Platform(Options options, Path dataDir, FileChannel dataLock) throws IOException {
        initializeOfferedLibraries();
        List.of(new JvmMemoryMetrics(), new JvmGcMetrics(), new JvmThreadMetrics(), new ClassLoaderMetrics())
                .forEach(binder -> binder.bindTo(registry));
        this.temporaryData = options.dataDir() == null;
        this.dataDir = dataDir;
        this.dataLock = dataLock;
        this.adminToken = AdminApi.token(dataDir);
        Path work = dataDir.resolve("work");
        delete(work);
        this.placing = options.placing();
        this.settings = options.settings();
        this.dispatcher = new PlacedDispatcher(placing::local, new LocalDispatcher(), new Signature(placing.secret()));
        Pipeline pipeline = new Pipeline(List.of(new Metrics(registry, placing::local), new Deadlines(watchdog)), dispatcher);
        this.loader = new AppLoader(pipeline, name -> options.settings().getOrDefault(name, System.getenv(name)), options.defaultTimeout(),
                true, placing.mode(), new MavenLibraries(dataDir.resolve("libraries"),
                        options.settings().getOrDefault(MavenLibraries.REPOSITORIES, System.getenv(MavenLibraries.REPOSITORIES))),
                placing.compiled());
        this.supervisor = new Supervisor(options.settings(), placing.secret(), placing.mode(), work.resolve("services"));
        this.store = new AppStore(dataDir);
        this.deployer = new Deployer(loader, router, store, TEST_TIMEOUT, work, this::url, this::place);
        this.gateway = new Gateway(router, registry, options.gateway(), Map.of(
                "/git", new GitHttp(store, deployer),
                "/admin", new AdminApi(store, deployer, adminToken, this::url, fromDirectories::contains)), () -> ready);
        this.wire = placing.self() == null ? null : new WireServer(router, new Signature(placing.secret()), watchdog, placing.wirePort());
        if (placing.self() == null) {
            deployer.warmUp();
        }
        deployer.restore().forEach(problem -> System.getLogger(Platform.class.getName())
                .log(System.Logger.Level.ERROR, "not serving " + problem));
        Files.writeString(dataDir.resolve("url"), url() + "\n");
        dataLock.truncate(0).write(ByteBuffer.wrap(("the platform with pid " + ProcessHandle.current().pid() + " on " + url())
                .getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Holds the data directory for this platform alone: two platforms on one would serve the same
     * apps from the same repositories and overwrite each other's state. The lock file names its holder.
     *
     * @throws IllegalStateException naming the platform that holds it
     */
    private static FileChannel lock(Path dataDir) throws IOException {
        Path file = dataDir.resolve("platform.lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
            throw new IllegalStateException("the data directory " + dataDir + " is in use by " + (holder.isEmpty() ? "another platform" : holder)
                    + " — stop that one, or give this one another --data");
        }
        return channel;
    }

    /** Starts a platform; its gateway is listening and its apps serving when this returns. */
    public static Platform start(Options options) {
        Platform platform = starting(options);
        platform.ready();
        return platform;
    }

    /**
     * Starts a platform that serves the apps of its data directory but tells readiness probes it is
     * still starting, until {@link #ready()}: for a caller that deploys more apps first.
     */
    public static Platform starting(Options options) {
        Path dataDir;
        FileChannel lock;
        try {
            dataDir = options.dataDir() == null ? Files.createTempDirectory("nanolith-") : Files.createDirectories(options.dataDir());
            lock = lock(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the data directory: " + e.getMessage(), e);
        }
        try {
            return new Platform(options, dataDir, lock);
        } catch (IOException | RuntimeException e) {
            // A platform that did not start leaves the data directory free, and no temporary one behind.
            try {
                lock.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            if (options.dataDir() == null) {
                delete(dataDir);
            }
            throw e instanceof IOException io ? new UncheckedIOException("cannot prepare the data directory: " + io.getMessage(), io)
                    : (RuntimeException) e;
        }
    }

    /**
     * Loads the app in {@code dir} as its next revision and switches its traffic to it;
     * calls in flight finish on the revision they started on. Apps deployed this way are not
     * kept in the data directory: push them to keep them.
     *
     * @throws LoadException with every problem found; the serving revision is untouched
     */
    public synchronized Revision deploy(Path dir) throws LoadException {
        Revision revision = loader.load(dir, app -> "r" + (revisions.getOrDefault(app, 0) + 1));
        if (store.app(revision.app()).isPresent()) {
            revision.retire();
            throw new LoadException(Problem.of(ConfigFile.NAME, "app '" + revision.app() + "' is pushed to this platform already (its"
                    + " repository is in " + dataDir + "); a directory cannot serve under its name — give this one another app: name"));
        }
        place(revision, dir);
        router.deploy(revision);
        fromDirectories.add(revision.app());
        revisions.merge(revision.app(), 1, Integer::sum);
        return revision;
    }

    /**
     * Checks the app in {@code dir} as a push to this platform is checked — config, compile and
     * load, a name no other app serves, its services' processes, the app's own tests, the start of
     * every function — reporting each stage to {@code progress}. The revision that passes serves
     * nothing until {@link #serve} is given it; retire it otherwise.
     *
     * @throws LoadException with every problem found
     */
    public synchronized Check.Passed check(Path dir, Consumer<String> progress) throws LoadException {
        return deployer.check().run(dir, null, app -> "r" + (revisions.getOrDefault(app, 0) + 1), (candidate, files) -> {
            router.check(candidate);
            return place(candidate, files);
        }, progress);
    }

    /** Serves a revision that passed {@link #check}: its app's traffic switches to it. */
    public synchronized void serve(Revision revision, Consumer<String> progress) throws LoadException {
        long t = System.nanoTime();
        router.deploy(revision);
        progress.accept(Check.stage("switch", (System.nanoTime() - t) / 1_000_000, "traffic moved to " + revision.id()));
        revisions.merge(revision.app(), 1, Integer::sum);
    }

    /**
     * Gives a revision its services outside this process: a service's process is told where its
     * peers are; the platform's own process starts them. True when processes were started from
     * {@code dir}, which must then stay until the revision retires.
     */
    private boolean place(Revision revision, Path dir) throws LoadException {
        if (placing.self() != null) {
            revision.endpoints().putAll(placing.peers());
            return false;
        }
        Set<String> elsewhere = new TreeSet<>();
        revision.routes().stream().map(Route::spec).filter(fn -> !placing.local(fn)).forEach(fn -> elsewhere.add(fn.service()));
        if (elsewhere.isEmpty()) {
            return false;
        }
        supervisor.start(revision, dir, elsewhere);
        List<Endpoint> endpoints = List.copyOf(revision.endpoints().values());
        revision.closeWhenRetired(() -> dispatcher.disconnect(endpoints));
        return true;
    }

    /** Tells readiness probes that the platform serves every app it was started with. */
    public void ready() {
        ready = true;
    }

    /** The process id of each service this platform runs in a process of its own, by service name. */
    public Map<String, Long> servicePids() {
        return supervisor.pids();
    }

    /** The revision that serves {@code app} now, if any. */
    public Optional<Revision> serving(String app) {
        return router.revisions().stream().filter(r -> r.app().equals(app)).findFirst();
    }

    /** The gateway's base URL. */
    public String url() {
        return gateway.url();
    }

    public int port() {
        return gateway.port();
    }

    /** The token of the admin API, also kept in the data directory's {@code admin-token} file. */
    public String adminToken() {
        return adminToken;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        gateway.close();
        if (wire != null) {
            try {
                wire.close();
            } catch (IOException e) {
                // the port is being released either way
            }
        }
        for (Thread retiring : router.revisions().stream().map(Revision::retire).toList()) {
            try {
                retiring.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        dispatcher.close();
        store.close();
        watchdog.close();
        registry.close();
        try {
            dataLock.close();
        } catch (IOException e) {
            // the lock goes with the process either way
        }
        if (temporaryData) {
            delete(dataDir);
        }
    }

    /**
     * Uses the libraries offered to apps once, from platform code. Some keep state made on their
     * first use for good (H2 keeps an exception, and with it its first caller's classes); were
     * that first use an app's, the app's first revision could never be unloaded.
     */
    private static void initializeOfferedLibraries() {
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:")) {
            c.isValid(1);
        } catch (SQLException e) {
            throw new IllegalStateException("the embedded database does not start: " + e.getMessage(), e);
        }
    }

    /** Removes a directory and everything in it. */
    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir + ": " + e.getMessage(), e);
        }
    }
}
