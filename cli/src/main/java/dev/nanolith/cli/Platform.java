package dev.nanolith.cli;

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
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole platform, wired in one place: router, invocation pipeline, app loader and gateway.
 * {@link #start} gives a running platform; {@link #deploy} puts an app on it.
 */
public final class Platform implements AutoCloseable {

    /**
     * How to start a platform.
     *
     * @param gateway        where the gateway listens
     * @param defaultTimeout a function's timeout when its config sets none
     * @param settings       values for {@code ${NAME}} in config and for secrets, before the environment
     */
    public record Options(GatewayConfig gateway, Duration defaultTimeout, Map<String, String> settings) {

        /** The default timeout of a function: 10 seconds. */
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

        public Options {
            settings = Map.copyOf(settings);
        }

        /** Loopback on {@code port}, default limits, settings from the environment only. */
        public static Options loopback(int port) {
            return new Options(GatewayConfig.loopback(port), DEFAULT_TIMEOUT, Map.of());
        }

        /** The same options with more settings. */
        public Options with(Map<String, String> more) {
            Map<String, String> all = new HashMap<>(settings);
            all.putAll(more);
            return new Options(gateway, defaultTimeout, all);
        }
    }

    private final Watchdog watchdog = new Watchdog();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Router router = new Router();
    private final AppLoader loader;
    private final Gateway gateway;
    private final Map<String, Integer> revisions = new HashMap<>();

    private Platform(Options options) {
        List.of(new JvmMemoryMetrics(), new JvmGcMetrics(), new JvmThreadMetrics(), new ClassLoaderMetrics())
                .forEach(binder -> binder.bindTo(registry));
        Pipeline pipeline = new Pipeline(List.of(new Metrics(registry), new Deadlines(watchdog)), new LocalDispatcher());
        this.loader = new AppLoader(pipeline, name -> options.settings().getOrDefault(name, System.getenv(name)), options.defaultTimeout());
        this.gateway = new Gateway(router, registry, options.gateway());
    }

    /** Starts a platform with no apps; its gateway is listening when this returns. */
    public static Platform start(Options options) {
        return new Platform(options);
    }

    /**
     * Loads the app in {@code dir} as its next revision and switches its traffic to it;
     * calls in flight finish on the revision they started on.
     *
     * @throws LoadException with every problem found; the serving revision is untouched
     */
    public synchronized Revision deploy(Path dir) throws LoadException {
        Revision revision = loader.load(dir, app -> "r" + (revisions.getOrDefault(app, 0) + 1));
        router.deploy(revision);
        revisions.merge(revision.app(), 1, Integer::sum);
        return revision;
    }

    /** The gateway's base URL. */
    public String url() {
        return gateway.url();
    }

    public int port() {
        return gateway.port();
    }

    @Override
    public void close() {
        gateway.close();
        watchdog.close();
        registry.close();
    }
}
