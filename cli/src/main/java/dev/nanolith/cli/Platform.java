package dev.nanolith.cli;

import dev.nanolith.deploy.AdminApi;
import dev.nanolith.deploy.AppStore;
import dev.nanolith.deploy.Deployer;
import dev.nanolith.deploy.GitHttp;
import dev.nanolith.gateway.Gateway;
import dev.nanolith.gateway.GatewayConfig;
import dev.nanolith.runtime.Pipeline;
import dev.nanolith.runtime.Revision;
import dev.nanolith.runtime.Router;
import dev.nanolith.runtime.deadline.Deadlines;
import dev.nanolith.runtime.deadline.Watchdog;
import dev.nanolith.runtime.dispatch.LocalDispatcher;
import dev.nanolith.runtime.load.AppLoader;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.observe.Metrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    public record Options(GatewayConfig gateway, Duration defaultTimeout, Map<String, String> settings, Path dataDir) {

        /** The default timeout of a function: 10 seconds. */
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

        public Options {
            settings = Map.copyOf(settings);
        }

        /** Loopback on {@code port}, default limits, settings from the environment, a temporary data directory. */
        public static Options loopback(int port) {
            return new Options(GatewayConfig.loopback(port), DEFAULT_TIMEOUT, Map.of(), null);
        }

        /** The same options with more settings. */
        public Options with(Map<String, String> more) {
            Map<String, String> all = new HashMap<>(settings);
            all.putAll(more);
            return new Options(gateway, defaultTimeout, all, dataDir);
        }

        /** The same options with a data directory that outlives the platform. */
        public Options withData(Path dir) {
            return new Options(gateway, defaultTimeout, settings, dir);
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

    private Platform(Options options) throws IOException {
        initializeOfferedLibraries();
        List.of(new JvmMemoryMetrics(), new JvmGcMetrics(), new JvmThreadMetrics(), new ClassLoaderMetrics())
                .forEach(binder -> binder.bindTo(registry));
        this.temporaryData = options.dataDir() == null;
        this.dataDir = temporaryData ? Files.createTempDirectory("nanolith-") : Files.createDirectories(options.dataDir());
        this.adminToken = AdminApi.token(dataDir);
        Path work = dataDir.resolve("work");
        delete(work);
        Pipeline pipeline = new Pipeline(List.of(new Metrics(registry), new Deadlines(watchdog)), new LocalDispatcher());
        this.loader = new AppLoader(pipeline, name -> options.settings().getOrDefault(name, System.getenv(name)), options.defaultTimeout());
        this.store = new AppStore(dataDir);
        this.deployer = new Deployer(loader, router, store, TEST_TIMEOUT, work, this::url);
        this.gateway = new Gateway(router, registry, options.gateway(), Map.of(
                "/git", new GitHttp(store, deployer),
                "/admin", new AdminApi(store, deployer, adminToken, this::url)));
        deployer.warmUp();
        deployer.restore().forEach(problem -> System.getLogger(Platform.class.getName())
                .log(System.Logger.Level.ERROR, "not serving " + problem));
        Files.writeString(dataDir.resolve("url"), url() + "\n");
    }

    /** Starts a platform; its gateway is listening and its apps serving when this returns. */
    public static Platform start(Options options) {
        try {
            return new Platform(options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the data directory: " + e.getMessage(), e);
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
        router.deploy(revision);
        revisions.merge(revision.app(), 1, Integer::sum);
        return revision;
    }

    /** The revision that serves {@code app} now, if any. */
    public java.util.Optional<Revision> serving(String app) {
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
        gateway.close();
        store.close();
        watchdog.close();
        registry.close();
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
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:h2:mem:")) {
            c.isValid(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("the embedded database does not start: " + e.getMessage(), e);
        }
    }

    private static void delete(Path dir) {
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
