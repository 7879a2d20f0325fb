package dev.nanolith.runtime.observe;

import dev.nanolith.DeadlineExceededException;
import dev.nanolith.RefusedException;
import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.Invoker;
import dev.nanolith.runtime.Stage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Counts every call of every function and records its latency. Meters are looked up once per
 * function when its revision loads, so a call only adds to them.
 */
public final class Metrics implements Stage {

    /** Bucket bounds of the latency histogram: from in-process calls to slow remote work. */
    private static final Duration[] BUCKETS = {
            Duration.ofNanos(10_000), Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final MeterRegistry registry;

    public Metrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Invoker wrap(FunctionSpec function, Invoker next) {
        Timer latency = Timer.builder("nanolith.function.duration")
                .description("Time from a function's call to its return, nested calls included")
                .tags("app", function.app(), "function", function.name())
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        Counter invocations = Counter.builder("nanolith.function.invocations")
                .description("Calls of a function, from the gateway and from other functions")
                .tags("app", function.app(), "function", function.name())
                .register(registry);
        Counter failures = errors(function, "failed");
        Counter timeouts = errors(function, "timeout");
        Counter refusals = errors(function, "refused");
        return (input, call) -> {
            long start = call.started();
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
                latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                invocations.increment();
            }
        };
    }

    private Counter errors(FunctionSpec function, String kind) {
        return Counter.builder("nanolith.function.errors")
                .description("Calls of a function that ended in an error, by kind")
                .tags("app", function.app(), "function", function.name(), "kind", kind)
                .register(registry);
    }
}
