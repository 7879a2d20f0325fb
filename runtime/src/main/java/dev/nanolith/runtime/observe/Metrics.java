package dev.nanolith.runtime.observe;

import dev.nanolith.DeadlineExceededException;
import dev.nanolith.RefusedException;
import dev.nanolith.runtime.Call;
import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.Invoker;
import dev.nanolith.runtime.Stage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Counts every call of the functions of this process, records its latency and how many run at
 * once, per function; and per edge (caller to callee) every call a function of this process makes,
 * or an operation's entry. Meters are looked up once per function when its revision loads, and once
 * per edge when it is first taken, so a call only adds to them: each series is reported by one process.
 */
public final class Metrics implements Stage {

    /** Bucket bounds of the latency histogram: from in-process calls to slow remote work. */
    private static final Duration[] BUCKETS = {
            Duration.ofNanos(10_000), Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30)};

    /** The caller of an operation's entry call, which no function made. */
    static final String ENTRY = "entry";

    private final MeterRegistry registry;
    private final Predicate<FunctionSpec> local;

    /** @param local which functions run in this process; calls to the others are remote edges */
    public Metrics(MeterRegistry registry, Predicate<FunctionSpec> local) {
        this.registry = registry;
        this.local = local;
    }

    @Override
    public Invoker wrap(FunctionSpec function, Invoker next) {
        Map<String, Edge> edges = new ConcurrentHashMap<>();
        if (!local.test(function)) {
            // Its process counts its calls; this one the edges to it, each call with its hop.
            return (input, call) -> {
                try {
                    return next.invoke(input, call);
                } finally {
                    edge(edges, function, call, System.nanoTime() - call.started());
                }
            };
        }
        Timer latency = Timer.builder("nanolith.function.duration")
                .description("Time from a function's call to its return, nested calls included")
                .tags("app", function.app(), "function", function.name())
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        Counter invocations = Counter.builder("nanolith.function.invocations")
                .description("Calls of a function, from the gateway and from other functions")
                .tags("app", function.app(), "function", function.name())
                .register(registry);
        AtomicInteger inFlight = new AtomicInteger();
        Gauge.builder("nanolith.function.in.flight", inFlight, AtomicInteger::get)
                .description("Calls of a function running now")
                .tags("app", function.app(), "function", function.name())
                .register(registry);
        Counter failures = errors(function, "failed");
        Counter timeouts = errors(function, "timeout");
        Counter refusals = errors(function, "refused");
        return (input, call) -> {
            long start = call.started();
            inFlight.incrementAndGet();
            try {
                return next.invoke(input, call);
            } catch (DeadlineExceededException e) {
                timeouts.increment();
                throw e;
            } catch (RefusedException e) {
                refusals.increment();
                throw e;
            } catch (RuntimeException | Error e) {
                failures.increment();
                throw e;
            } finally {
                inFlight.decrementAndGet();
                long took = System.nanoTime() - start;
                latency.record(took, TimeUnit.NANOSECONDS);
                invocations.increment();
                // A call from a function in another process is that process's edge, measured there with its hop.
                if (!call.carried() || call.from() == null) {
                    edge(edges, function, call, took);
                }
            }
        };
    }

    /** Records {@code call}, which took {@code took} nanoseconds, on the edge from its caller to {@code callee}. */
    private void edge(Map<String, Edge> edges, FunctionSpec callee, Call call, long took) {
        String caller = call.from() == null ? ENTRY : call.from();
        Edge edge = edges.get(caller);
        (edge != null ? edge : edges.computeIfAbsent(caller, c -> edge(callee, c))).record(took, call);
    }

    /**
     * One caller-to-callee edge: how often it is taken and how long it takes, local or remote,
     * and for a remote edge the bytes each way — what tells whether functions that call each
     * other belong in one process.
     */
    private Edge edge(FunctionSpec callee, String caller) {
        String kind = local.test(callee) ? "local" : "remote";
        Timer time = edgeDuration(registry, callee.app(), caller, callee.name(), kind);
        if (kind.equals("local")) {
            return new Edge(time, null, null);
        }
        return new Edge(time, bytes(callee, caller, "sent"), bytes(callee, caller, "received"));
    }

    /**
     * The meter of one edge's calls, {@code nanolith_edge_duration_seconds}.
     *
     * @param callee a function's name, or an external host's origin
     * @param kind   {@code local}, {@code remote} (another process of the platform) or {@code external} (a host outside it)
     */
    public static Timer edgeDuration(MeterRegistry registry, String app, String caller, String callee, String kind) {
        return Timer.builder("nanolith.edge.duration")
                .description("Calls along one edge, caller to callee; caller 'entry' is a call from outside (the gateway, a test),"
                        + " callee an origin for a host outside the platform")
                .tags("app", app, "caller", caller, "callee", callee, "kind", kind)
                .register(registry);
    }

    private DistributionSummary bytes(FunctionSpec callee, String caller, String direction) {
        return DistributionSummary.builder("nanolith.edge.bytes").baseUnit("bytes")
                .description("Bytes of the calls along a remote edge: requests sent, answers received")
                .tags("app", callee.app(), "caller", caller, "callee", callee.name(), "direction", direction)
                .register(registry);
    }

    /** The meters of one edge; a local edge carries no bytes. */
    private record Edge(Timer time, DistributionSummary sent, DistributionSummary received) {
        void record(long nanos, Call call) {
            time.record(nanos, TimeUnit.NANOSECONDS);
            if (sent != null && call.sentBytes() >= 0) {
                sent.record(call.sentBytes());
            }
            if (received != null && call.receivedBytes() >= 0) {
                received.record(call.receivedBytes());
            }
        }
    }

    private Counter errors(FunctionSpec function, String kind) {
        return Counter.builder("nanolith.function.errors")
                .description("Calls of a function that ended in an error, by kind")
                .tags("app", function.app(), "function", function.name(), "kind", kind)
                .register(registry);
    }
}
