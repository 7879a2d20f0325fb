package dev.nanolith.runtime.resilience;

import dev.nanolith.RefusedException;
import dev.nanolith.ServiceUnavailableException;
import dev.nanolith.runtime.Trace;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The caller's side of the standard error handler for the calls of one callee, in one process:
 * retries what may be retried ({@link Failure}), with jittered exponential back-off, within the
 * caller's deadline and the callee's retry budget; waits out a {@code Retry-After}; stops calling
 * a callee whose circuit breaker is open; and calls the fallback when all that fails. The
 * pipeline's {@link Resilience} stage uses one per function for calls between functions, the
 * gateway one per function for an operation's entry, and a revision's external hosts one per
 * host ({@code ctx.http()}). Each caller's policy, budget and breaker are resolved when the guard
 * is made: a call that does not fail pays a map read, one add (the budget's count) and, where
 * configured, a breaker's bookkeeping.
 */
public final class Guard implements AutoCloseable {

    /**
     * One attempt of a call.
     *
     * @param <C> what the attempt needs besides its input
     */
    @FunctionalInterface
    public interface Attempt<C> {
        /**
         * Makes attempt {@code tries} (1 for the first) within {@code deadline}, in {@link System#nanoTime()} terms.
         */
        Object run(Object input, C context, long deadline, int tries);
    }

    /**
     * A call of another function in place of the one that failed, with the same input.
     *
     * @param <C> what the call needs besides its input
     */
    @FunctionalInterface
    public interface Fallback<C> {
        Object call(String function, Object input, C context, long deadline);
    }

    /** The code of the refusal of a call that an open circuit breaker failed at once. */
    public static final String CIRCUIT_OPEN = "circuit-open";

    private static final System.Logger LOG = System.getLogger(Guard.class.getName());
    /** The caller of an operation's entry call, as the metrics name it. */
    private static final String ENTRY = "entry";

    private final MeterRegistry registry;
    private final String process;
    private final String app;
    private final String callee;
    private final boolean idempotent;
    private final Events events;
    private final Edge standard;
    private final Map<String, Edge> byCaller = new HashMap<>();
    /** The meters of its breakers' states, which go with it. */
    private final List<Meter> gauges = new ArrayList<>();

    /**
     * The guard of the calls of function {@code callee} of {@code app} in this process, its events counted in {@code registry}.
     *
     * @param process which of the platform's processes this is ({@code gateway}, or a worker's service), for the breakers'
     *                metrics: each process has breakers of its own
     */
    public Guard(MeterRegistry registry, String process, String app, String callee, Policies policies) {
        this(registry, process, app, callee, policies.callers(), policies.byCaller(), policies.idempotent());
    }

    /**
     * The guard of the calls of {@code callee}, a function or an external host's origin, in this process.
     *
     * @param standard   what every caller does, unless it has its own
     * @param byCaller   the callers that have their own
     * @param idempotent whether an unknown outcome may be retried, unless the failure tells whether it may ({@link Classified})
     */
    public Guard(MeterRegistry registry, String process, String app, String callee, Policy standard, Map<String, Policy> byCaller,
                 boolean idempotent) {
        this.registry = registry;
        this.process = process;
        this.app = app;
        this.callee = callee;
        this.idempotent = idempotent;
        this.events = new Events(registry, app, callee);
        Map<Double, RetryBudget> budgets = new HashMap<>();
        Map<Policy.Breaker, Breaker> breakers = new HashMap<>();
        this.standard = edge(standard, budgets, breakers);
        byCaller.forEach((caller, policy) -> this.byCaller.put(caller, edge(policy, budgets, breakers)));
    }

    /**
     * What one caller's calls of a callee share: its policy, and the retry budget and breaker of
     * every caller whose policy has the same ones.
     */
    private record Edge(Policy policy, RetryBudget budget, Breaker breaker) {
    }

    private Edge edge(Policy policy, Map<Double, RetryBudget> budgets, Map<Policy.Breaker, Breaker> breakers) {
        return new Edge(policy, budgets.computeIfAbsent(policy.budget(), RetryBudget::new),
                policy.breaker() == null ? null : breakers.computeIfAbsent(policy.breaker(), settings -> new Breaker(settings, breakers.size())));
    }

    /**
     * Makes a call of the callee through its error handler.
     *
     * @param caller   the calling function, or null for an operation's entry
     * @param deadline the caller's, in {@link System#nanoTime()} terms
     * @param standIn  whether the call is a fallback's: its own failure has no fallback, so that fallbacks never go round
     * @return what an attempt, or the fallback, answered
     * @throws RuntimeException the last attempt's failure, when no retry and no fallback helped
     */
    public <C> Object call(String caller, Trace trace, long deadline, boolean standIn, Object input, C context, Attempt<C> attempt,
                           Fallback<C> fallback) {
        Edge edge = caller == null || byCaller.isEmpty() ? standard : byCaller.getOrDefault(caller, standard);
        Policy policy = edge.policy();
        Breaker breaker = edge.breaker();
        edge.budget().called();
        RuntimeException failure = null;
        for (int tries = 1; ; tries++) {
            if (breaker != null && !breaker.permits()) {
                events.count(caller, "circuit-open");
                // Opened by other calls while this one waited to try again: its own last failure says more than the breaker.
                return fallback(failure != null ? failure : breaker.refusal(), policy, caller, trace, standIn, input, context, deadline,
                        fallback);
            }
            try {
                Object output = attempt.run(input, context, deadline, tries);
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
            Failure kind = Failure.of(failure, callee);
            if (breaker != null) {
                breaker.failed(kind, failure);
            }
            long wait = waitBefore(kind, failure, edge, tries, deadline, caller, trace);
            if (wait < 0) {
                if (kind == Failure.PERMANENT) {
                    throw failure;
                }
                return fallback(failure, policy, caller, trace, standIn, input, context, deadline, fallback);
            }
            try {
                Thread.sleep(Duration.ofNanos(wait));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure;
            }
        }
    }

    /**
     * Takes its breakers' state out of the metrics: for a guard that goes before its process does, as
     * the gateway's go with their deployment (a new one's would otherwise find the old meters taken).
     */
    @Override
    public void close() {
        gauges.forEach(registry::remove);
    }

    private static String name(String caller) {
        return caller == null ? ENTRY : caller;
    }

    /** How long to wait before attempt {@code tries + 1}, in nanoseconds; -1: no more attempts. */
    private long waitBefore(Failure kind, RuntimeException failure, Edge edge, int tries, long deadline, String caller, Trace trace) {
        Policy policy = edge.policy();
        // The callee's process is being started again: as with gRPC's transparent retries, waiting for it is bounded by the
        // deadline, not by attempts or the budget, as no request reached it. Every other retry counts against both.
        boolean restarting = kind == Failure.TRANSIENT && failure instanceof ServiceUnavailableException;
        if (kind == Failure.PERMANENT || !restarting && tries >= policy.attempts()
                || failure instanceof Classified classified && !classified.repeatable()) {
            return -1;
        }
        long wait;
        String event;
        if (kind == Failure.RATE_LIMITED) {
            Optional<Duration> asked = retryAfter(failure);
            if (asked.isPresent() && asked.get().compareTo(policy.maxWait()) > 0) {
                return -1;
            }
            // A refusal that does not say how long to wait waits as a retry would.
            wait = asked.isPresent() ? asked.get().toNanos() : backoff(policy, tries);
            event = "rate-limit-wait";
        } else {
            if (!policy.retryOn().contains(kind) || kind == Failure.UNKNOWN_OUTCOME && !idempotent && !(failure instanceof Classified)) {
                return -1;
            }
            if (!restarting && !edge.budget().retry()) {
                events.count(caller, "budget-exhausted");
                LOG.log(System.Logger.Level.WARNING, "'" + name(caller) + "' does not call '" + callee + "' again: its retry budget ("
                        + Math.round(policy.budget() * 100) + "% of calls, and 10 in 10 s) is spent; trace " + trace);
                return -1;
            }
            wait = backoff(policy, tries);
            event = "retry";
        }
        if (System.nanoTime() + wait - deadline >= 0) {
            return -1;
        }
        events.count(caller, event);
        LOG.log(System.Logger.Level.INFO, "'" + name(caller) + "' calls '" + callee + "' again in "
                + TimeUnit.NANOSECONDS.toMillis(wait) + " ms (attempt " + (tries + 1) + (restarting ? "" : " of " + policy.attempts())
                + ") after " + (kind == Failure.UNKNOWN_OUTCOME ? "an " : "a ") + kind.word() + " failure: " + failure.getMessage() + "; trace " + trace);
        return wait;
    }

    /**
     * What the fallback answers in place of the callee, or {@code failure} when there is none.
     * A fallback's own failure is not met with another fallback: fallbacks never go round.
     */
    private <C> Object fallback(RuntimeException failure, Policy policy, String caller, Trace trace, boolean standIn, Object input, C context,
                                long deadline, Fallback<C> fallback) {
        if (policy.fallback() == null || standIn) {
            throw failure;
        }
        events.count(caller, "fallback");
        LOG.log(System.Logger.Level.WARNING, "'" + policy.fallback() + "' answers for '" + callee + "', called by '" + name(caller)
                + "': " + failure.getMessage() + "; trace " + trace);
        return fallback.call(policy.fallback(), input, context, deadline);
    }

    /**
     * A circuit breaker of the callee's callers in this process, whose changes are counted
     * and logged. They are noticed here, after each call, rather than by a listener of the
     * breaker's events: with a listener the breaker makes an event of every call.
     */
    private final class Breaker {
        private final CircuitBreaker breaker;
        private final Duration openFor;
        private volatile CircuitBreaker.State state = CircuitBreaker.State.CLOSED;
        private long openedAt;

        /** @param index which of the callee's breakers it is: 0 for all callers', more for callers with breakers of their own */
        Breaker(Policy.Breaker settings, int index) {
            this.openFor = settings.openFor();
            this.breaker = CircuitBreaker.of(callee, CircuitBreakerConfig.custom()
                    .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                    .slidingWindowSize(settings.window())
                    .minimumNumberOfCalls(settings.minCalls())
                    .failureRateThreshold((float) (settings.failureRate() * 100))
                    .waitDurationInOpenState(settings.openFor())
                    .permittedNumberOfCallsInHalfOpenState(Math.max(1, Math.min(3, settings.minCalls())))
                    .writableStackTraceEnabled(false)
                    .build());
            gauges.add(Gauge.builder("nanolith.circuit.state", breaker, b -> switch (b.getState()) {
                        case OPEN, FORCED_OPEN -> 1;
                        case HALF_OPEN -> 2;
                        default -> 0;
                    }).description("The circuit breakers of a callee's callers in this process (a function, or an external host): 0 closed, 1 open, 2 half-open")
                    .tags("app", app, "callee", callee, "process", process, "breaker", Integer.toString(index)).strongReference(true)
                    .register(registry));
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
                    .tags("app", app, "callee", callee, "process", process, "state", word).register(registry).increment();
            LOG.log(now == CircuitBreaker.State.CLOSED ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                    "the circuit breaker of '" + callee + "' is " + word + (now == CircuitBreaker.State.OPEN
                            ? ": " + Math.round(breaker.getMetrics().getFailureRate()) + "% of its last calls failed; its calls fail at once for "
                            + openFor.toSeconds() + " s" : ""));
        }

        /** What a call refused by the open breaker ends with: unavailable until the breaker lets calls through again. */
        synchronized RefusedException refusal() {
            long left = openedAt + openFor.toNanos() - System.nanoTime();
            return RefusedException.unavailable(CIRCUIT_OPEN, "'" + callee + "' is failing: its circuit breaker is open —"
                    + " calls of it fail at once until it lets one through to try", Duration.ofNanos(Math.max(left, 1_000_000_000L)));
        }
    }

    /** How long the callee asked to be left alone, if it said. */
    private static Optional<Duration> retryAfter(RuntimeException failure) {
        return switch (failure) {
            case RefusedException refused -> refused.retryAfter();
            case Classified classified -> classified.retryAfter();
            default -> Optional.empty();
        };
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
