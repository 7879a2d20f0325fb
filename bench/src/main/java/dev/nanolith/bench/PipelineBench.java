package dev.nanolith.bench;

import dev.nanolith.Nano;
import dev.nanolith.deploy.Check;
import dev.nanolith.runtime.Pipeline;
import dev.nanolith.runtime.Revision;
import dev.nanolith.runtime.Route;
import dev.nanolith.runtime.deadline.Deadlines;
import dev.nanolith.runtime.deadline.Watchdog;
import dev.nanolith.runtime.dispatch.LocalDispatcher;
import dev.nanolith.runtime.external.ExternalHttp;
import dev.nanolith.runtime.load.AppLoader;
import dev.nanolith.runtime.load.Libraries;
import dev.nanolith.runtime.observe.Activations;
import dev.nanolith.runtime.observe.Metrics;
import dev.nanolith.runtime.observe.Recorder;
import dev.nanolith.runtime.placement.Placement;
import dev.nanolith.runtime.security.Callers;
import dev.nanolith.worker.Worker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The hot path: one local call through the whole pipeline (call context, metrics, caller rules,
 * deadline, local dispatch) against a direct Java call of the same function object doing the same
 * work. Each {@code *Direct} benchmark is the baseline of its {@code *Pipeline} twin, and
 * {@code nestedPipeline} that of {@code nestedGuarded}, where {@code hot.add} lists its callers.
 * {@code nestedBare} runs the worker's pipeline without the error handler: the baseline of
 * {@code nestedPipeline} (the handler with the defaults) and of {@code nestedResilient}, where
 * {@code hot.add} has a retry, a circuit breaker and a bulkhead configured, none of them triggered.
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
    private Route guardedDoubleSum;
    private Route bareDoubleSum;
    private Route resilientDoubleSum;
    /** The bare pipeline with the activation recorder, whose buffer a thread empties as the platform's collection would. */
    private Route recordedDoubleSum;
    private Object recordedInput;
    private Thread collector;
    /** The inputs, as the bare and the resilient revisions' own classes. */
    private Object bareInput;
    private Object resilientInput;
    private Path guarded;
    private Path resilient;
    /** The input, as the guarded revision's own classes. */
    private Object guardedInput;
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
        // The same app, but hot.add may be called by hot.double-sum only: each nested call passes the caller rules.
        guarded = copy("hot.add:\n    callers: [hot.double-sum]\n");
        guardedDoubleSum = route(Worker.loadHere(guarded, Map.of(), new SimpleMeterRegistry(), watchdog), "hot.double-sum");
        guardedInput = guardedDoubleSum.readInput("{\"a\":20,\"b\":22}".getBytes(StandardCharsets.UTF_8));
        expectSame(guardedDoubleSum, doubleSumDirect.apply(input, ctx), guardedDoubleSum.callEntry(guardedInput, "bench"));
        // The worker's pipeline without the error handler, and the app with policies on hot.add that a good call never triggers.
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AppLoader bare = new AppLoader(new Pipeline(List.of(new Metrics(registry, fn -> true), new Callers(), new Deadlines(watchdog)),
                new LocalDispatcher(), new ExternalHttp(registry, "bench")), Map.<String, String>of()::get, AppLoader.DEFAULT_TIMEOUT, false, Placement.Rule.of(Placement.Mode.MONOLITH),
                Libraries.ON_CLASS_PATH, null, true);
        bareDoubleSum = route(bare.load(Apps.dir("hot"), app -> "bare"), "hot.double-sum");
        Activations activations = new Activations(registry, Activations.CAPACITY, "bench");
        AppLoader recorded = new AppLoader(new Pipeline(List.of(new Recorder(activations, fn -> true), new Metrics(registry, fn -> true),
                new Callers(), new Deadlines(watchdog)), new LocalDispatcher(), new ExternalHttp(registry, "bench")),
                Map.<String, String>of()::get, AppLoader.DEFAULT_TIMEOUT, false, Placement.Rule.of(Placement.Mode.MONOLITH), Libraries.ON_CLASS_PATH, null, true);
        recordedDoubleSum = route(recorded.load(Apps.dir("hot"), app -> "recorded"), "hot.double-sum");
        recordedInput = recordedDoubleSum.readInput("{\"a\":20,\"b\":22}".getBytes(StandardCharsets.UTF_8));
        expectSame(recordedDoubleSum, doubleSumDirect.apply(input, ctx), recordedDoubleSum.callEntry(recordedInput, "bench"));
        collector = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                activations.take(10_000);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        resilient = copy("hot.add:\n    idempotent: true\n    retry: {attempts: 3}\n    circuit-breaker: {window: 20}\n    concurrency: 64\n");
        resilientDoubleSum = route(Worker.loadHere(resilient, Map.of(), new SimpleMeterRegistry(), watchdog), "hot.double-sum");
        bareInput = bareDoubleSum.readInput("{\"a\":20,\"b\":22}".getBytes(StandardCharsets.UTF_8));
        resilientInput = resilientDoubleSum.readInput("{\"a\":20,\"b\":22}".getBytes(StandardCharsets.UTF_8));
        expectSame(bareDoubleSum, doubleSumDirect.apply(input, ctx), bareDoubleSum.callEntry(bareInput, "bench"));
        expectSame(resilientDoubleSum, doubleSumDirect.apply(input, ctx), resilientDoubleSum.callEntry(resilientInput, "bench"));
    }

    /** A copy of the {@code hot} app whose {@code nanolith.yaml} has {@code entry} under {@code functions:}. */
    private static Path copy(String entry) throws IOException {
        Path copy = Files.createTempDirectory("hot-");
        try (Stream<Path> files = Files.walk(Apps.dir("hot"))) {
            for (Path file : files.toList()) {
                Path to = copy.resolve(Apps.dir("hot").relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(file, to);
                }
            }
        }
        Files.writeString(copy.resolve("nanolith.yaml"), "functions:\n  " + entry, StandardOpenOption.APPEND);
        return copy;
    }

    @TearDown
    public void stop() {
        collector.interrupt();
        watchdog.close();
        Check.delete(guarded);
        Check.delete(resilient);
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

    /** {@code nestedPipeline} with {@code hot.add}'s caller rules checked on the nested call: the security stage's cost. */
    @Benchmark
    public Object nestedGuarded() {
        return guardedDoubleSum.callEntry(guardedInput, "bench");
    }

    /** Baseline of the error handler: {@code nestedPipeline} through the worker's pipeline without it. */
    @Benchmark
    public Object nestedBare() {
        return bareDoubleSum.callEntry(bareInput, "bench");
    }

    /** {@code nestedBare} through the whole pipeline, {@code hot.add} with a retry, a circuit breaker and a bulkhead configured. */
    /** The bare pipeline with every call recorded as an activation, its record made off the call's thread. */
    @Benchmark
    public Object nestedRecorded() {
        return recordedDoubleSum.callEntry(recordedInput, "bench");
    }

    @Benchmark
    public Object nestedResilient() {
        return resilientDoubleSum.callEntry(resilientInput, "bench");
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

    /** Compared as text: the guarded revision's records are classes of its own loader, equal to no other. */
    private static void expectSame(Route route, Object direct, Object piped) {
        if (!direct.toString().equals(piped.toString())) {
            throw new IllegalStateException(route.name() + ": the direct call gave " + direct + " but the pipeline " + piped);
        }
    }
}
