package dev.nanolith.worker;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanolith.runtime.Dispatcher;
import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.Pipeline;
import dev.nanolith.runtime.Revision;
import dev.nanolith.runtime.deadline.Deadlines;
import dev.nanolith.runtime.deadline.Watchdog;
import dev.nanolith.runtime.dispatch.LocalDispatcher;
import dev.nanolith.runtime.dispatch.PlacedDispatcher;
import dev.nanolith.runtime.dispatch.Identities;
import dev.nanolith.runtime.dispatch.WireClient;
import dev.nanolith.runtime.dispatch.WireServer;
import dev.nanolith.runtime.external.ExternalHttp;
import dev.nanolith.runtime.load.AppLoader;
import dev.nanolith.runtime.load.Libraries;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.Stage;
import dev.nanolith.runtime.observe.Activations;
import dev.nanolith.runtime.observe.Metrics;
import dev.nanolith.runtime.observe.Recorder;
import dev.nanolith.runtime.placement.Endpoint;
import dev.nanolith.runtime.placement.Placement;
import dev.nanolith.runtime.resilience.Resilience;
import dev.nanolith.runtime.security.Callers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The worker: hosts one service of one revision of an app, in a process of its own, apart from
 * the control plane. Its functions call each other directly, on the caller's thread; a function
 * placed in another service is called in that service's worker. The control plane starts it
 * with the compiled app and talks to it over a pipe: the worker prints {@value #READY} and the port
 * it takes calls on once every function has started; the control plane then sends a line
 * {@code peers SERVICE=HOST:PORT ...} whenever the other services' workers move, and a line
 * {@code secrets N {...}} whenever a secret of its functions is set or removed, which it answers
 * with {@value #SECRETS} {@code N} once its calls see the new values; the end of its standard
 * input ends the worker.
 */
public final class Worker implements AutoCloseable {

    /** The line a worker prints when it serves, followed by its port. */
    public static final String READY = "nanolith-worker-ready";

    /** The line a worker prints, once, when a call runs on past its deadline by more than {@link #GRACE}. */
    public static final String OVERDUE = "nanolith-worker-overdue";

    /** The line a worker prints when its functions see the secrets it was sent, followed by the number they came with. */
    public static final String SECRETS = "nanolith-worker-secrets";

    /** How long a call may run on past its deadline before its worker asks to be replaced. */
    static final Duration GRACE = Duration.ofSeconds(1);

    /**
     * What a worker hosts, sent as a line of JSON on its control pipe after the platform's secret (a
     * worker is started ahead, before the revision it will host is known).
     *
     * @param files                the app's {@code nanolith.yaml} and the app as its check compiled it ({@value Checker#COMPILED})
     * @param app                  the app's name
     * @param revision             the revision's id
     * @param service              the service whose functions run here
     * @param placement            how the app is split into services
     * @param defaultTimeoutMillis the timeout of a function whose config sets none
     * @param settings             the settings the app's config names, and the secrets of this service's functions
     * @param activations          how many ended calls it keeps as activation records until the control plane takes
     *                             them; 0 records none
     */
    public record Load(Path files, String app, String revision, String service, Placement.Rule placement, long defaultTimeoutMillis,
                       Map<String, String> settings, int activations) {

        /** Names the settings, never their values, some of which are secrets. */
        @Override
        public String toString() {
            return "Load[" + app + "@" + revision + ", service " + service + ", settings " + new TreeSet<>(settings.keySet()) + "]";
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Watchdog watchdog = new Watchdog();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final WireClient client;
    private final Activations activations;
    private final Revision revision;
    private final WireServer server;

    /**
     * Loads the compiled app and starts every function of {@code load}'s service.
     *
     * @param identities who this worker is on the wire, with the keys the control plane issued to it
     */
    Worker(Load load, Identities identities) throws LoadException, IOException {
        // Every series of this worker names it: the control plane's /metrics gathers every worker's.
        registry.config().commonTags("app", load.app(), "service", load.service());
        List.of(new JvmMemoryMetrics(), new JvmThreadMetrics(), new UptimeMetrics()).forEach(binder -> binder.bindTo(registry));
        this.client = new WireClient(identities);
        // Its service's functions, and its copies of the library functions they call.
        Predicate<FunctionSpec> local = fn -> fn.service().equals(load.service()) || fn.copies().contains(load.service());
        this.activations = load.activations() > 0 ? new Activations(registry, load.activations(), load.service()) : null;
        Pipeline pipeline = pipeline(registry, watchdog, load.service(), local, activations,
                new PlacedDispatcher(local, new LocalDispatcher(), client));
        // Settings are what the app's config names, and the secrets of this service's functions: nothing else reaches it.
        AppLoader loader = new AppLoader(pipeline, load.settings()::get, Duration.ofMillis(load.defaultTimeoutMillis()), true,
                load.placement(), Libraries.ON_CLASS_PATH, load.files().resolve(Checker.COMPILED), false);
        // The app's name is given: a nanolith.yaml without app: is named after its folder, which the worker's is not.
        this.revision = loader.load(load.files(), load.app(), name -> load.revision());
        this.server = new WireServer(revision, registry::scrape, activations, identities, watchdog);
    }

    /** The port it takes calls on, on 127.0.0.1. */
    int port() {
        return server.port();
    }

    /**
     * A worker's invocation pipeline: the activation recorder (unless {@code activations} is null),
     * the error handler, metrics, caller rules, deadlines, then {@code dispatcher}.
     */
    private static Pipeline pipeline(MeterRegistry registry, Watchdog watchdog, String service, Predicate<FunctionSpec> local,
                                     Activations activations, Dispatcher dispatcher) {
        List<Stage> stages = new ArrayList<>();
        if (activations != null) {
            // Outermost: a call's record is how it ended after its error handler, its refusals (bulkhead, breaker) included.
            stages.add(new Recorder(activations, local));
        }
        stages.addAll(List.of(new Resilience(registry, service, local), new Metrics(registry, local), new Callers(), new Deadlines(watchdog)));
        return new Pipeline(stages, dispatcher, new ExternalHttp(registry, service));
    }

    /**
     * Loads the app in {@code dir} in this process, every function local, through a worker's
     * pipeline, against this process's class path as the app's own build would: for benchmarks of a
     * worker's hot path, without a process around it. The platform never does this: its workers
     * load what a check process compiled.
     */
    public static Revision loadHere(Path dir, Map<String, String> settings, MeterRegistry registry, Watchdog watchdog) throws LoadException {
        AppLoader loader = new AppLoader(pipeline(registry, watchdog, "local", fn -> true, null, new LocalDispatcher()), settings::get,
                AppLoader.DEFAULT_TIMEOUT, false, Placement.Rule.of(Placement.Mode.MONOLITH), Libraries.ON_CLASS_PATH, null, true);
        return loader.load(dir, app -> "r1");
    }

    /** Loads what a worker loads as it starts, before it is given a revision: a spare worker is ready sooner. */
    static void warmUp() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Watchdog watchdog = new Watchdog(); WireClient client = new WireClient(Identities.platform("warm"))) {
            new Metrics(registry, fn -> true);
            registry.scrape();
            watchdog.arm(Thread.currentThread(), System.nanoTime() + 1_000_000_000L).disarm();
        } finally {
            registry.close();
        }
    }

    /** Takes the addresses of the other services' workers, from a line {@code peers SERVICE=HOST:PORT ...}. */
    void peers(String line) {
        Map<String, Endpoint> peers = new HashMap<>();
        for (String peer : line.substring("peers".length()).strip().split("\\s+")) {
            if (!peer.isEmpty()) {
                int eq = peer.indexOf('=');
                peers.put(peer.substring(0, eq), Endpoint.parse(peer.substring(eq + 1)));
            }
        }
        revision.endpoints().putAll(peers);
        revision.endpoints().keySet().retainAll(peers.keySet());
    }

    /**
     * Takes the values of its functions' secrets, from a line {@code secrets N {"NAME": "value", ...}}:
     * every one this worker's functions declare that is set; one not in it was removed. Returns N.
     */
    String secrets(String line) throws IOException {
        String rest = line.substring("secrets ".length());
        int space = rest.indexOf(' ');
        Map<String, String> values = JSON.readValue(rest.substring(space + 1), new TypeReference<Map<String, String>>() { });
        revision.secrets().putAll(values);
        revision.secrets().keySet().retainAll(values.keySet());
        return rest.substring(0, space);
    }

    @Override
    public void close() {
        try {
            // The app's closeable functions (a pool, a database) end before the process does.
            revision.retire().join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            server.close();
        } catch (IOException e) {
            // the port goes with the process
        }
        client.close();
        watchdog.close();
    }

    /**
     * Warms up, then takes from its control pipe the keys the control plane issued to it
     * ({@code keys {...}}, see {@link Identities#issue}; given there rather than in the
     * environment, which the app's code could read) and a {@link Load} ({@code load {...}}), loads
     * the app and serves.
     */
    public static void main(String[] args) throws IOException {
        // What the app prints goes to standard error: standard output is the control plane's to read, and no app's to forge.
        PrintStream report = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        BufferedReader control = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        warmUp();
        String keys = control.readLine();
        String load = control.readLine();
        if (keys == null || load == null) {
            // The platform stopped before it had a revision for this worker.
            System.exit(0);
        }
        Worker worker;
        try {
            Load what = JSON.readValue(load.substring("load ".length()), Load.class);
            Map<String, String> issued = JSON.readValue(keys.substring("keys ".length()), new TypeReference<Map<String, String>>() { });
            worker = new Worker(what, Identities.worker(Identities.of(what.app(), what.service()), issued));
        } catch (LoadException e) {
            System.err.println("the worker cannot load the app:\n" + e.getMessage());
            System.exit(1);
            return;
        }
        report.println(READY + " " + worker.port());
        // A function that ignores interruption holds its thread, and maybe a core, past every deadline: the control plane
        // replaces such a worker, told once.
        Thread.ofPlatform().daemon().name("nanolith-overdue").start(() -> {
            String overdue = null;
            while (overdue == null) {
                try {
                    Thread.sleep(GRACE.toMillis() / 2);
                } catch (InterruptedException e) {
                    return;
                }
                overdue = worker.server.overdue(GRACE);
            }
            report.println(OVERDUE + " " + overdue);
        });
        // The control plane holds this input open while it runs: at its end, even by kill -9, the worker ends.
        for (String line; (line = control.readLine()) != null; ) {
            if (line.startsWith("peers")) {
                worker.peers(line);
            } else if (line.startsWith("secrets ")) {
                report.println(SECRETS + " " + worker.secrets(line));
            }
        }
        worker.close();
        System.exit(0);
    }
}
