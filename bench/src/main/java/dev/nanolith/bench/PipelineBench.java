package dev.nanolith.bench;

import dev.nanolith.Nano;
import dev.nanolith.runtime.Revision;
import dev.nanolith.runtime.Route;
import dev.nanolith.runtime.deadline.Watchdog;
import dev.nanolith.worker.Worker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The hot path: one local call through the whole pipeline (call context, metrics, deadline,
 * local dispatch) against a direct Java call of the same function object doing the same
 * work. Each {@code *Direct} benchmark is the baseline of its {@code *Pipeline} twin.
 *
 * <p>Not final: JMH extends benchmark classes.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PipelineBench {

    private Watchdog watchdog;
    private Route add;
    private Route doubleSum;
    private Nano<Object, Object> addDirect;
    private Nano<Object, Object> doubleSumDirect;
    private DirectCtx ctx;
    private Object input;

    /** Loads the {@code hot} app with the real loader, through a worker's pipeline. */
    @Setup
    public void deploy() throws Exception {
        watchdog = new Watchdog();
        Revision revision = Worker.loadHere(Apps.dir("hot"), Map.of(), new SimpleMeterRegistry(), watchdog);
        add = route(revision, "hot.add");
        doubleSum = route(revision, "hot.double-sum");
        input = add.readInput("{\"a\":20,\"b\":22}".getBytes(StandardCharsets.UTF_8));
        // The baseline's function objects: the same classes, from the revision's class loader.
        addDirect = instantiate(add);
        doubleSumDirect = instantiate(doubleSum);
        ctx = new DirectCtx(add.spec().implementation(), addDirect);
        expectSame(add, addDirect.apply(input, ctx), add.callEntry(input, "bench"));
        expectSame(doubleSum, doubleSumDirect.apply(input, ctx), doubleSum.callEntry(input, "bench"));
    }

    @TearDown
    public void stop() {
        watchdog.close();
    }

    /** Baseline: {@code hot.add} called as a plain Java method. */
    @Benchmark
    public Object addDirect() throws Exception {
        return addDirect.apply(input, ctx);
    }

    /** {@code hot.add} called through the pipeline, on this thread. */
    @Benchmark
    public Object addPipeline() {
        return add.callEntry(input, "bench");
    }

    /** Baseline: {@code hot.double-sum} calling {@code hot.add} as plain Java methods. */
    @Benchmark
    public Object nestedDirect() throws Exception {
        return doubleSumDirect.apply(input, ctx);
    }

    /** {@code hot.double-sum} through the pipeline, calling {@code hot.add} through it again: one hop. */
    @Benchmark
    public Object nestedPipeline() {
        return doubleSum.callEntry(input, "bench");
    }

    private static Route route(Revision revision, String name) {
        Route route = revision.route(name);
        if (route == null) {
            throw new IllegalStateException("the bench app has no function '" + name + "' — it has " + revision.routes());
        }
        return route;
    }

    @SuppressWarnings("unchecked")
    private static Nano<Object, Object> instantiate(Route route) throws ReflectiveOperationException {
        return (Nano<Object, Object>) route.spec().implementation().getConstructor().newInstance();
    }

    private static void expectSame(Route route, Object direct, Object piped) {
        if (!direct.equals(piped)) {
            throw new IllegalStateException(route.name() + ": the direct call gave " + direct + " but the pipeline " + piped);
        }
    }
}
