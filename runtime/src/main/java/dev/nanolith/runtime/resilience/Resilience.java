package dev.nanolith.runtime.resilience;

import dev.nanolith.RefusedException;
import dev.nanolith.runtime.Call;
import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.Invoker;
import dev.nanolith.runtime.Stage;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The standard error handler, one stage for every call between functions: the caller's side is
 * the function's {@link Guard}; the callee's side holds its bulkhead ({@code concurrency:}),
 * Resilience4j's. A call carried from another process had its caller's side there.
 */
public final class Resilience implements Stage {

    private static final System.Logger LOG = System.getLogger(Resilience.class.getName());
    /** The caller of an operation's entry call, as the metrics name it. */
    private static final String ENTRY = "entry";

    private final MeterRegistry registry;
    private final String process;
    private final Predicate<FunctionSpec> local;

    /**
     * @param process which process this is (a worker's service, {@code check}), for the breakers' metrics
     * @param local   which functions run in this process: only they have their bulkhead here
     */
    public Resilience(MeterRegistry registry, String process, Predicate<FunctionSpec> local) {
        this.registry = registry;
        this.process = process;
        this.local = local;
    }

    @Override
    public Invoker wrap(FunctionSpec function, Invoker next) {
        Invoker guarded = function.policies().concurrency() > 0 && local.test(function) ? bulkhead(function, next) : next;
        Guard guard = new Guard(registry, process, function.app(), function.name(), function.policies());
        Guard.Attempt<Call> attempt = (input, call, deadline, tries) -> guarded.invoke(input, tries == 1 ? call : call.retry(deadline));
        Guard.Fallback<Call> fallback = (name, input, call, deadline) -> call.fallback(name, input, deadline);
        return (input, call) -> call.carried() ? guarded.invoke(input, call)
                : guard.call(call.from(), call.trace(), call.deadline(), call.standIn(), input, call, attempt, fallback);
    }

    /** The callee's side: at most {@code concurrency} calls at once; one more is refused at once, to be tried again shortly. */
    private Invoker bulkhead(FunctionSpec function, Invoker next) {
        int concurrency = function.policies().concurrency();
        Bulkhead bulkhead = Bulkhead.of(function.name(), BulkheadConfig.custom().maxConcurrentCalls(concurrency).maxWaitDuration(Duration.ZERO)
                .fairCallHandlingStrategyEnabled(false).writableStackTraceEnabled(false).build());
        Events events = new Events(registry, function.app(), function.name());
        // Refusals come in floods, when the function is overloaded: they are all counted, and logged once a second at most.
        AtomicLong lastLogged = new AtomicLong(System.nanoTime() - 2_000_000_000L);
        return (input, call) -> {
            if (!bulkhead.tryAcquirePermission()) {
                events.count(call.from(), "bulkhead-full");
                long last = lastLogged.get(), now = System.nanoTime();
                if (now - last > 1_000_000_000L && lastLogged.compareAndSet(last, now)) {
                    LOG.log(System.Logger.Level.WARNING, "'" + function.name() + "' refuses calls: its " + concurrency
                            + " concurrent calls run (bulkhead full); the latest from '" + caller(call) + "', trace " + call.trace());
                }
                throw RefusedException.unavailable("bulkhead-full", "'" + function.name() + "' runs as many calls as it may at once ("
                        + concurrency + ") — try again shortly", Duration.ofSeconds(1));
            }
            try {
                return next.invoke(input, call);
            } finally {
                bulkhead.onComplete();
            }
        };
    }

    private static String caller(Call call) {
        return call.from() == null ? ENTRY : call.from();
    }
}
