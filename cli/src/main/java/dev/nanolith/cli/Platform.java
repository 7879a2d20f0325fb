package dev.nanolith.cli;

import dev.nanolith.audit.AuditApi;
import dev.nanolith.audit.Auditor;
import dev.nanolith.dashboard.Dashboard;
import dev.nanolith.deploy.AdminApi;
import dev.nanolith.deploy.ApiKeys;
import dev.nanolith.deploy.AppStore;
import dev.nanolith.deploy.Check;
import dev.nanolith.deploy.Deployer;
import dev.nanolith.deploy.GitHttp;
import dev.nanolith.deploy.MavenLibraries;
import dev.nanolith.deploy.ProcessCpu;
import dev.nanolith.deploy.Sandbox;
import dev.nanolith.deploy.RevisionRecord;
import dev.nanolith.deploy.Secrets;
import dev.nanolith.deploy.Workers;
import dev.nanolith.gateway.Authenticator;
import dev.nanolith.gateway.Gateway;
import dev.nanolith.gateway.GatewayConfig;
import dev.nanolith.gateway.JwtAuthenticator;
import dev.nanolith.observe.ActivationStore;
import dev.nanolith.observe.ActivationsApi;
import dev.nanolith.observe.Collector;
import dev.nanolith.observe.Recording;
import dev.nanolith.observe.SpanExport;
import dev.nanolith.runtime.Router;
import dev.nanolith.runtime.config.ConfigFile;
import dev.nanolith.runtime.deadline.Watchdog;
import dev.nanolith.runtime.dispatch.Identities;
import dev.nanolith.runtime.dispatch.WireClient;
import dev.nanolith.runtime.load.AppLoader;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.load.Problem;
import dev.nanolith.runtime.observe.Scrapes;
import dev.nanolith.runtime.placement.Deployment;
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
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The control plane, wired in one place: router, gateway, git server, admin API, deployer, the
 * check processes and the workers. It never loads a class of an app: each app is checked in a
 * throw-away process and served by workers — one per service of its placement, the whole app in
 * one for a monolith. {@link #start} gives a running platform with every app of its data
 * directory serving its current revision; {@link #deploy} also serves an app from a directory.
 */
public final class Platform implements AutoCloseable {

    /**
     * How to start a platform.
     *
     * @param gateway        where the gateway listens
     * @param defaultTimeout a function's timeout when its config sets none
     * @param settings       values for {@code ${NAME}} in config, and for secrets the data directory's store does not
     *                       hold, before the environment
     * @param dataDir        where apps, their repositories and revisions are kept; null for a
     *                       temporary one that is removed when the platform stops
     * @param placement      how apps are split into workers
     * @param checkTimeout   how long the check of one push may take
     * @param sandbox        whether app code may run without the OS sandbox where it is missing
     */
    public record Options(GatewayConfig gateway, Duration defaultTimeout, Map<String, String> settings, Path dataDir,
                          Placement.Mode placement, Duration checkTimeout, Sandbox.Policy sandbox) {

        /** The default timeout of a function. */
        public static final Duration DEFAULT_TIMEOUT = AppLoader.DEFAULT_TIMEOUT;

        /** How long the check of one push may take by default. */
        public static final Duration DEFAULT_CHECK_TIMEOUT = Duration.ofMinutes(2);

        public Options {
            settings = Map.copyOf(settings);
        }

        /** Options of a platform whose apps run as monoliths. */
        public Options(GatewayConfig gateway, Duration defaultTimeout, Map<String, String> settings, Path dataDir) {
            this(gateway, defaultTimeout, settings, dataDir, Placement.Mode.MONOLITH, DEFAULT_CHECK_TIMEOUT, Sandbox.Policy.AUTO);
        }

        /** The same options with apps placed by {@code mode}. */
        public Options placed(Placement.Mode mode) {
            return new Options(gateway, defaultTimeout, settings, dataDir, mode, checkTimeout, sandbox);
        }

        /** Loopback on {@code port}, default limits, settings from the environment, a temporary data directory. */
        public static Options loopback(int port) {
            return new Options(GatewayConfig.loopback(port), DEFAULT_TIMEOUT, Map.of(), null);
        }

        /** The same options with more settings. */
        public Options with(Map<String, String> more) {
            Map<String, String> all = new HashMap<>(settings);
            all.putAll(more);
            return new Options(gateway, defaultTimeout, all, dataDir, placement, checkTimeout, sandbox);
        }

        /** The same options with a data directory that outlives the platform. */
        public Options withData(Path dir) {
            return new Options(gateway, defaultTimeout, settings, dir, placement, checkTimeout, sandbox);
        }

        /** The same options with another limit on the check of a push. */
        public Options checkedWithin(Duration limit) {
            return new Options(gateway, defaultTimeout, settings, dataDir, placement, limit, sandbox);
        }

        /** The same options with another sandbox policy. */
        public Options sandboxed(Sandbox.Policy policy) {
            return new Options(gateway, defaultTimeout, settings, dataDir, placement, checkTimeout, policy);
        }
    }

    private final Watchdog watchdog = new Watchdog();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Router router = new Router();
    private final Path dataDir;
    private final boolean temporaryData;
    private final String adminToken;
    private final AppStore store;
    /** What every key of the wire is made from (see {@link Identities}); no other process holds it. */
    private final String secret;
    private final WireClient wire;
    private final Workers workers;
    private final Check check;
    private final Deployer deployer;
    private final Gateway gateway;
    private final ActivationStore activations;
    private final Collector collector;
    private final ProcessCpu cpu;
    private final SpanExport spans;
    private final Dashboard dashboard;
    private final Map<String, Integer> revisions = new HashMap<>();
    /** The apps served from directories, whose names no pushed app may take. */
    private final Set<String> fromDirectories = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final FileChannel dataLock;
    /** Whether every app the platform was started with serves: what readiness probes are told. */
    private volatile boolean ready;

    private Platform(Options options, Path dataDir, FileChannel dataLock) throws IOException {
        List.of(new JvmMemoryMetrics(), new JvmGcMetrics(), new JvmThreadMetrics(), new ClassLoaderMetrics())
                .forEach(binder -> binder.bindTo(registry));
        this.temporaryData = options.dataDir() == null;
        this.dataDir = dataDir;
        this.dataLock = dataLock;
        this.adminToken = AdminApi.token(dataDir);
        Path work = dataDir.resolve("work");
        delete(work);
        this.secret = UUID.randomUUID().toString();
        Map<String, String> environment = environment(options.settings());
        // Read first: a setting that is not valid stops the start before anything else has started.
        JwtAuthenticator jwts = JwtAuthenticator.of(environment::get);
        Recording recording = Recording.of(environment::get, dataDir);
        Auditor.Guidelines guidelines = Auditor.Guidelines.of(environment::get);
        try {
            this.activations = new ActivationStore(recording.database());
        } catch (SQLException e) {
            throw new IllegalArgumentException(e.getMessage() + (environment.containsKey(Recording.URL) ? " — check " + Recording.URL
                    + ", or leave it out for the embedded store" : " — is another process using this data directory?"), e);
        }
        SpanExport spans = null;
        Collector collector = null;
        ProcessCpu cpu = null;
        try {
            spans = SpanExport.configure(environment);
            Sandbox sandbox = Sandbox.detect(options.sandbox());
            this.wire = new WireClient(Identities.platform(secret));
            Secrets secrets = new Secrets(dataDir, environment::get, Clock.systemUTC());
            // What a retiring deployment's workers still hold is taken before they stop.
            this.workers = new Workers(secret, secrets, options.placement(), options.defaultTimeout(), wire, registry, sandbox,
                    work.resolve("workers"), recording.buffer(), this::retiring);
            collector = new Collector(router, wire, activations, spans, recording.retention(), registry, Clock.systemUTC());
            this.check = new Check(workers, router, new MavenLibraries(dataDir.resolve("libraries"), environment.get(MavenLibraries.REPOSITORIES)),
                    environment::get, secrets, options.checkTimeout(), options.defaultTimeout(), work);
            this.store = new AppStore(dataDir);
            this.deployer = new Deployer(check, router, store, work, this::url, guidelines);
            ApiKeys keys = new ApiKeys(dataDir, Clock.systemUTC());
            // A JWT has a JWT's form; an API key has none, so each credential goes to the one that can tell.
            Authenticator credentials = jwts == null ? keys
                    : token -> JwtAuthenticator.isJwt(token) ? jwts.authenticate(token) : keys.authenticate(token);
            ActivationsApi search = new ActivationsApi(activations, collector, Clock.systemUTC());
            cpu = new ProcessCpu(workers::running, Clock.systemUTC());
            AuditApi audits = new AuditApi(router, search, guidelines, (app, revision) -> store.app(app)
                    .flatMap(state -> state.revision(revision)).map(RevisionRecord::predicted).orElse(Map.of()), cpu::usage);
            AdminApi admin = new AdminApi(store, keys, secrets, workers, deployer, adminToken, this::url, fromDirectories::contains, search, audits);
            this.dashboard = new Dashboard(router, store, workers, search, audits, this::metrics, admin::admits, this::url, sandbox.describe(),
                    Clock.systemUTC());
            this.gateway = new Gateway(router, credentials, registry, wire, watchdog, this::metrics, sandbox.describe(), options.gateway(),
                    Map.of("/git", new GitHttp(store, deployer), "/admin", admin, "/ui", dashboard), () -> ready, collector::record);
        } catch (RuntimeException e) {
            // A platform that did not start leaves no thread of its recording behind, and its store closed.
            if (collector != null) {
                collector.close();
            }
            if (cpu != null) {
                cpu.close();
            }
            if (spans != null) {
                spans.close();
            }
            try {
                activations.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        this.spans = spans;
        this.collector = collector;
        this.cpu = cpu;
        check.warmUp();
        dashboard.start();
        deployer.restore().forEach(problem -> System.getLogger(Platform.class.getName())
                .log(System.Logger.Level.ERROR, "not serving " + problem));
        Files.writeString(dataDir.resolve("url"), url() + "\n");
        dataLock.truncate(0).write(ByteBuffer.wrap(("the platform with pid " + ProcessHandle.current().pid() + " on " + url())
                .getBytes(StandardCharsets.UTF_8)));
    }

    /** Takes what the workers of {@code deployment}, which retires, still hold, before they stop. */
    private void retiring(Deployment deployment) {
        collector.retiring(deployment);
    }

    /** Where the values of settings and secrets come from: the platform's settings over its own environment. */
    private static Map<String, String> environment(Map<String, String> settings) {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.putAll(settings);
        return Map.copyOf(environment);
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

    /** The key of wire connections from {@code caller} to {@code callee}: for tests that play a worker. */
    byte[] wireKey(String caller, String callee) {
        return Identities.key(secret, caller, callee);
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
     * Serves the app in {@code dir} as its next revision: checked (without its tests) and started
     * in its workers, then its traffic switched to it; calls in flight finish on the revision they
     * started on. Apps deployed this way are not kept in the data directory: push them to keep them.
     *
     * @throws LoadException with every problem found; the serving revision is untouched
     */
    public synchronized Deployment deploy(Path dir) throws LoadException {
        Deployment deployment = check.run(dir, null, app -> "r" + (revisions.getOrDefault(app, 0) + 1), Check.Purpose.DIRECTORY, Map.of(),
                line -> { }).deployment();
        try {
            if (store.app(deployment.app()).isPresent()) {
                throw new LoadException(Problem.of(ConfigFile.NAME, "app '" + deployment.app() + "' is pushed to this platform already (its"
                        + " repository is in " + dataDir + "); a directory cannot serve under its name — give this one another app: name"));
            }
            router.deploy(deployment);
        } catch (LoadException | RuntimeException e) {
            deployment.retire();
            throw e;
        }
        fromDirectories.add(deployment.app());
        revisions.merge(deployment.app(), 1, Integer::sum);
        return deployment;
    }

    /**
     * Checks the app in {@code dir} as a push to this platform is checked — config and libraries,
     * compile and load, a name no other app serves, the app's own tests and the start of every
     * function in a throw-away process, then its workers — reporting each stage to
     * {@code progress}. The revision that passes serves nothing until {@link #serve} is given it;
     * retire it otherwise.
     *
     * @throws LoadException with every problem found
     */
    public synchronized Check.Passed check(Path dir, Consumer<String> progress) throws LoadException {
        return check.run(dir, null, app -> "r" + (revisions.getOrDefault(app, 0) + 1), Check.Purpose.PUSH, Map.of(), progress);
    }

    /** Serves a revision that passed {@link #check}: its app's traffic switches to it; one that cannot serve is retired. */
    public synchronized void serve(Deployment deployment, Consumer<String> progress) throws LoadException {
        long t = System.nanoTime();
        try {
            router.deploy(deployment);
        } catch (LoadException | RuntimeException e) {
            deployment.retire();
            throw e;
        }
        progress.accept(Check.stage("switch", (System.nanoTime() - t) / 1_000_000, "traffic moved to " + deployment.id()));
        revisions.merge(deployment.app(), 1, Integer::sum);
    }

    /**
     * The metrics of the control plane and of every serving worker, as one Prometheus text
     * exposition; a worker that does not answer within two seconds is left out.
     */
    private String metrics() {
        List<String> scrapes = new ArrayList<>();
        scrapes.add(registry.scrape());
        scrapes.addAll(wire.askEvery(router.deployments(), Duration.ofSeconds(2),
                (deployment, service, endpoint) -> wire.scrape(endpoint, deployment.app(), service)));
        return Scrapes.merge(scrapes);
    }

    /** Tells readiness probes that the platform serves every app it was started with. */
    public void ready() {
        ready = true;
    }

    /** The process id of each worker, by service name (the newest, while two revisions of an app overlap). */
    public Map<String, Long> servicePids() {
        return workers.pids();
    }

    /** The deployment that serves {@code app} now, if any. */
    public Optional<Deployment> serving(String app) {
        return router.deployments().stream().filter(d -> d.app().equals(app)).findFirst();
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
        // Closed whole even by an interrupted thread (one a stop interrupted as it deployed): each part's stop may wait.
        boolean interrupted = Thread.interrupted();
        try {
            closeParts();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeParts() {
        gateway.close();
        dashboard.close();
        check.close();
        // What the workers hold is taken before they stop; a retiring deployment's, by the collection it asked for.
        collector.close();
        cpu.close();
        for (Thread retiring : router.deployments().stream().map(Deployment::retire).toList()) {
            try {
                retiring.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // After the workers: the thread that started them ends with it, and takes any process it started along.
        workers.close();
        wire.close();
        if (spans != null) {
            spans.close();
        }
        try {
            activations.close();
        } catch (SQLException e) {
            System.getLogger(Platform.class.getName()).log(System.Logger.Level.WARNING, "the activation store did not close: " + e.getMessage());
        }
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

    /** Removes a directory and everything in it. */
    static void delete(Path dir) {
        Check.delete(dir);
    }
}
