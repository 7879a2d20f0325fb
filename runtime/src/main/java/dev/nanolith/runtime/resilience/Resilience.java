package dev.nanolith.runtime.resilience;

import dev.nanolith.RefusedException;
import dev.nanolith.runtime.Call;
import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.Invoker;
import dev.nanolith.runtime.Stage;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The standard error handler, one stage for every call between functions: the caller's side
 * retries what may be retried ({@link Failure}), with jittered exponential back-off, within the
 * caller's deadline and the callee's retry budget; waits out a {@code Retry-After}; stops calling
 * a callee whose circuit breaker is open; and calls the fallback when all that fails. The
 * callee's side holds its bulkhead ({@code concurrency:}). A call carried from another process
 * had its caller's side there. Resilience4j runs the breakers and bulkheads. A call that does not
 * fail pays a map read, one add (the budget's count) and, where configured, a breaker's and a
 * bulkhead's bookkeeping.
 */
public final class Resilience implements Stage {

    private static final System.Logger LOG = System.getLogger(Resilience.class.getName());
    /** The caller of an operation's entry call, as the metrics name it. */
    private static final String ENTRY = "entry";

    private final MeterRegistry registry;
    private final Predicate<FunctionSpec> local;

    /** @param local which functions run in this process: only they have their bulkhead here */
    public Resilience(MeterRegistry registry, Predicate<FunctionSpec> local) {
        this.registry = registry;
        this.local = local;
    }

    @Override
    public Invoker wrap(FunctionSpec function, Invoker next) {
        Invoker guarded = function.policies().concurrency() > 0 && local.test(function) ? bulkhead(function, next) : next;
        Guard guard = new Guard(function, guarded);
        return (input, call) -> call.carried() ? guarded.invoke(input, call) : guard.invoke(input, call);
    }

    /** The callee's side: at most {@code concurrency} calls at once; one more is refused at once, to be tried again shortly. */
    private Invoker bulkhead(FunctionSpec function, Invoker next) {
        int concurrency = function.policies().concurrency();
        Bulkhead bulkhead = Bulkhead.of(function.name(), BulkheadConfig.custom().maxConcurrentCalls(concurrency).maxWaitDuration(Duration.ZERO)
                .fairCallHandlingStrategyEnabled(false).writableStackTraceEnabled(false).build());
        Events events = new Events(registry, function);
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

    /**
     * What one caller's calls of a function share: its policy, and the retry budget and breaker of
     * every caller whose policy has the same ones.
     */
    private record Edge(Policy policy, RetryBudget budget, Guard.Breaker breaker) {
    }

    /** The caller's side of the calls of one function. */
    private final class Guard {
        private final FunctionSpec function;
        private final Invoker next;
        private final Events events;
        private final Edge standard;
        private final Map<String, Edge> byCaller = new HashMap<>();

        Guard(FunctionSpec function, Invoker next) {
            this.function = function;
            this.next = next;
            this.events = new Events(registry, function);
            Map<Double, RetryBudget> budgets = new HashMap<>();
            Map<Policy.Breaker, Breaker> breakers = new HashMap<>();
            this.standard = edge(function.policies().callers(), budgets, breakers);
            function.policies().byCaller().forEach((caller, policy) -> byCaller.put(caller, edge(policy, budgets, breakers)));
        }

        private Edge edge(Policy policy, Map<Double, RetryBudget> budgets, Map<Policy.Breaker, Breaker> breakers) {
            return new Edge(policy, budgets.computeIfAbsent(policy.budget(), RetryBudget::new),
                    policy.breaker() == null ? null : breakers.computeIfAbsent(policy.breaker(), settings -> new Breaker(settings, breakers.size())));
        }

        Object invoke(Object input, Call call) {
            Edge edge = call.from() == null || byCaller.isEmpty() ? standard : byCaller.getOrDefault(call.from(), standard);
            Policy policy = edge.policy();
            Breaker breaker = edge.breaker();
            long deadline = call.deadline();
            edge.budget().called();
            Call attempt = call;
            for (int tries = 1; ; tries++) {
                if (breaker != null && !breaker.permits()) {
                    events.count(call.from(), "circuit-open");
                    return fallback(breaker.refusal(), policy, input, call, deadline);
                }
                RuntimeException failure;
                try {
                    Object output = next.invoke(input, attempt);
                    if (breaker != null) {
                        breaker.served();
                    }
                    return output;
                } catch (RuntimeException e) {
                    failure = e;
                } catch (Error e) {
                    if (breaker != null) {
                        breaker.failed(Failure.UNKNOWN_OUTCOME, e);
                    }
                    throw e;
                }
                Failure kind = Failure.of(failure, function.name());
                if (breaker != null) {
                    breaker.failed(kind, failure);
                }
                long wait = waitBefore(kind, failure, edge, tries, deadline, call);
                if (wait < 0) {
                    if (kind == Failure.PERMANENT) {
                        throw failure;
                    }
                    return fallback(failure, policy, input, call, deadline);
                }
                try {
                    Thread.sleep(Duration.ofNanos(wait));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw failure;
                }
                attempt = call.retry(deadline);
            }
        }

        /** How long to wait before attempt {@code tries + 1}, in nanoseconds; -1: no more attempts. */
        private long waitBefore(Failure kind, RuntimeException failure, Edge edge, int tries, long deadline, Call call) {
            Policy policy = edge.policy();
            // The callee's process is being started again: as with gRPC's transparent retries, waiting for it is bounded by the
            // deadline, not by attempts or the budget, as no request reached it.
            if (kind == Failure.PERMANENT || kind != Failure.TRANSIENT && tries >= policy.attempts()) {
                return -1;
            }
            long wait;
            String event;
            if (kind == Failure.RATE_LIMITED) {
                Duration asked = failure instanceof RefusedException refused ? refused.retryAfter().orElse(policy.backoff()) : policy.backoff();
                if (asked.compareTo(policy.maxWait()) > 0) {
                    return -1;
                }
                wait = asked.toNanos();
                event = "rate-limit-wait";
            } else {
                if (!policy.retryOn().contains(kind) || kind == Failure.UNKNOWN_OUTCOME && !function.policies().idempotent()) {
                    return -1;
                }
                if (kind == Failure.UNKNOWN_OUTCOME && !edge.budget().retry()) {
                    events.count(call.from(), "budget-exhausted");
                    LOG.log(System.Logger.Level.WARNING, "'" + caller(call) + "' does not call '" + function.name() + "' again: its retry budget ("
                            + Math.round(policy.budget() * 100) + "% of calls, and 10 in 10 s) is spent; trace " + call.trace());
                    return -1;
                }
                wait = backoff(policy, tries);
                event = "retry";
            }
            if (System.nanoTime() + wait - deadline >= 0) {
                return -1;
            }
            events.count(call.from(), event);
            LOG.log(System.Logger.Level.INFO, "'" + caller(call) + "' calls '" + function.name() + "' again in "
                    + TimeUnit.NANOSECONDS.toMillis(wait) + " ms (attempt " + (tries + 1) + (kind == Failure.TRANSIENT ? "" : " of " + policy.attempts())
                    + ") after a " + kind.word() + " failure: " + failure.getMessage() + "; trace " + call.trace());
            return wait;
        }

        /**
         * What the fallback answers in place of the function, or {@code failure} when there is none.
         * A fallback's own failure is not met with another fallback: fallbacks never go round.
         */
        private Object fallback(RuntimeException failure, Policy policy, Object input, Call call, long deadline) {
            if (policy.fallback() == null || call.standIn()) {
                throw failure;
            }
            events.count(call.from(), "fallback");
            LOG.log(System.Logger.Level.WARNING, "'" + policy.fallback() + "' answers for '" + function.name() + "', called by '" + caller(call)
                    + "': " + failure.getMessage() + "; trace " + call.trace());
            return call.fallback(policy.fallback(), input, deadline);
        }

        /**
         * A circuit breaker of the function's callers in this process, whose changes are counted
         * and logged. They are noticed here, after each call, rather than by a listener of the
         * breaker's events: with a listener the breaker makes an event of every call.
         */
        private final class Breaker {
            private final CircuitBreaker breaker;
            private final Duration openFor;
            private volatile CircuitBreaker.State state = CircuitBreaker.State.CLOSED;
            private long openedAt;

            /** @param index which of the function's breakers it is: 0 for all callers', more for callers with breakers of their own */
            Breaker(Policy.Breaker settings, int index) {
                this.openFor = settings.openFor();
                this.breaker = CircuitBreaker.of(function.name(), CircuitBreakerConfig.custom()
                        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                        .slidingWindowSize(settings.window())
                        .minimumNumberOfCalls(settings.minCalls())
                        .failureRateThreshold((float) (settings.failureRate() * 100))
                        .waitDurationInOpenState(settings.openFor())
                        .permittedNumberOfCallsInHalfOpenState(Math.max(1, Math.min(3, settings.minCalls())))
                        .writableStackTraceEnabled(false)
                        .build());
                Gauge.builder("nanolith.circuit.state", breaker, b -> switch (b.getState()) {
                            case OPEN, FORCED_OPEN -> 1;
                            case HALF_OPEN -> 2;
                            default -> 0;
                        }).description("The circuit breakers of a function's callers in this process: 0 closed, 1 open, 2 half-open")
                        .tags("app", function.app(), "callee", function.name(), "breaker", Integer.toString(index)).register(registry);
            }

            /** Whether a call may go: false while the breaker is open. */
            boolean permits() {
                boolean permitted = breaker.tryAcquirePermission();
                noticeChange();
                return permitted;
            }

            /** Records a call served. Durations are not recorded: no slow-call rule is set. */
            void served() {
                breaker.onSuccess(0, TimeUnit.NANOSECONDS);
                noticeChange();
            }

            /** Records a failed call: its process not reached, or an unknown outcome; a refusal is the callee answering, and does not count. */
            void failed(Failure kind, Throwable failure) {
                if (kind == Failure.TRANSIENT || kind == Failure.UNKNOWN_OUTCOME) {
                    breaker.onError(0, TimeUnit.NANOSECONDS, failure);
                } else {
                    breaker.releasePermission();
                }
                noticeChange();
            }

            private void noticeChange() {
                CircuitBreaker.State now = breaker.getState();
                if (now == state) {
                    return;
                }
                synchronized (this) {
                    now = breaker.getState();
                    if (now == state) {
                        return;
                    }
                    if (now == CircuitBreaker.State.OPEN) {
                        openedAt = System.nanoTime();
                    }
                    state = now;
                }
                String word = now.name().toLowerCase(Locale.ROOT).replace('_', '-');
                Counter.builder("nanolith.circuit.transitions").description("Circuit breakers that changed state, by the state they took")
                        .tags("app", function.app(), "callee", function.name(), "state", word).register(registry).increment();
                LOG.log(now == CircuitBreaker.State.CLOSED ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                        "the circuit breaker of '" + function.name() + "' is " + word + (now == CircuitBreaker.State.OPEN
                                ? ": " + Math.round(breaker.getMetrics().getFailureRate()) + "% of its last calls failed; its calls fail at once for "
                                + openFor.toSeconds() + " s" : ""));
            }

            /** What a call refused by the open breaker ends with: unavailable until the breaker lets calls through again. */
            synchronized RefusedException refusal() {
                long left = openedAt + openFor.toNanos() - System.nanoTime();
                return RefusedException.unavailable("circuit-open", "'" + function.name() + "' is failing: its circuit breaker is open —"
                        + " calls of it fail at once until it lets one through to try", Duration.ofNanos(Math.max(left, 1_000_000_000L)));
            }
        }
    }

    /**
     * The wait before attempt {@code tries + 1}: the back-off doubled for each attempt made, capped
     * at {@code max-backoff}, then drawn within ± {@code jitter} of it, so that retries capped alike
     * still spread out.
     */
    static long backoff(Policy policy, int tries) {
        double doubled = policy.backoff().toNanos() * Math.pow(2, tries - 1);
        double capped = Math.min(doubled, policy.maxBackoff().toNanos());
        return (long) (capped * (1 + policy.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1)));
    }
}
