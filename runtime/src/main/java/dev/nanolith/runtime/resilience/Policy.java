package dev.nanolith.runtime.resilience;

import dev.nanolith.runtime.config.CircuitBreakerConfig;
import dev.nanolith.runtime.config.EdgeConfig;
import dev.nanolith.runtime.config.FunctionConfig;
import dev.nanolith.runtime.config.HostConfig;
import dev.nanolith.runtime.config.RateLimitedConfig;
import dev.nanolith.runtime.config.RetryConfig;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a caller does when a call of one function fails: the function's {@code retry:},
 * {@code rate-limited:}, {@code circuit-breaker:} and {@code fallback:} in {@code nanolith.yaml},
 * or a caller's own under its {@code calls:}, over the platform's defaults ({@link #DEFAULT}).
 *
 * @param attempts   how many times a call is made at most, the first included (a call that waits for a worker
 *                   being started again is bounded by the deadline instead)
 * @param backoff    the wait before the first retry; each next one waits twice as long
 * @param maxBackoff the longest wait between two attempts
 * @param jitter     the share of each wait drawn at random, 0 to 1
 * @param retryOn    the failures retried
 * @param budget     the share of calls that may be retries, 0 to 1
 * @param maxWait    the longest {@code Retry-After} waited out; a longer one fails the call at once
 * @param breaker    when calls stop for a while; null: never
 * @param fallback   the function called instead when a call fails; null: none
 */
public record Policy(int attempts, Duration backoff, Duration maxBackoff, double jitter, Set<Failure> retryOn, double budget,
                     Duration maxWait, Breaker breaker, String fallback) {

    /**
     * A circuit breaker's settings, in Resilience4j's terms.
     *
     * @param failureRate the share of failed calls (0 to 1) among the last {@code window} that opens it
     * @param window      how many of the last calls count
     * @param minCalls    how many calls must have been made before the rate counts
     * @param openFor     how long it stays open before it lets a few calls through to try
     */
    public record Breaker(double failureRate, int window, int minCalls, Duration openFor) {
    }

    /**
     * The platform's defaults: a call that never reached its callee (its process down or being
     * started again) is made again until the caller's deadline, 50 ms, 100 ms, … up to 1 s apart
     * (half of each at random); one whose outcome is unknown only if the function is declared
     * idempotent, three times in all; retries are at most 10% of calls; a {@code Retry-After} of
     * up to 5 s is waited out; no breaker, no fallback.
     */
    public static final Policy DEFAULT = new Policy(3, Duration.ofMillis(50), Duration.ofSeconds(1), 0.5, EnumSet.of(Failure.TRANSIENT), 0.1,
            Duration.ofSeconds(5), null, null);

    public Policy {
        retryOn = Set.copyOf(retryOn);
    }

    /** The policy of {@code function}'s callers: its config over the defaults. */
    public static Policy of(FunctionConfig function) {
        Set<Failure> retryOn = function.idempotent() ? EnumSet.of(Failure.TRANSIENT, Failure.UNKNOWN_OUTCOME) : DEFAULT.retryOn;
        Policy base = new Policy(DEFAULT.attempts, DEFAULT.backoff, DEFAULT.maxBackoff, DEFAULT.jitter, retryOn, DEFAULT.budget,
                DEFAULT.maxWait, null, null);
        return base.with(function.retry(), function.rateLimited(), function.circuitBreaker(), function.fallback());
    }

    /**
     * The platform's defaults for requests to an external host ({@code ctx.http()}): as for a
     * function, and a request whose outcome is unknown is made again when it is idempotent (its
     * method is, or it carries an {@code Idempotency-Key}), which each request tells.
     */
    public static final Policy HOST = new Policy(DEFAULT.attempts, DEFAULT.backoff, DEFAULT.maxBackoff, DEFAULT.jitter,
            EnumSet.of(Failure.TRANSIENT, Failure.UNKNOWN_OUTCOME), DEFAULT.budget, DEFAULT.maxWait, null, null);

    /** The policy of one function's requests to a host: its entry under the function's {@code hosts:} over {@link #HOST}. */
    static Policy of(HostConfig host) {
        return HOST.with(host.retry(), host.rateLimited(), host.circuitBreaker(), null);
    }

    /** This policy with the keys a caller's {@code calls:} entry gives over it. */
    public Policy with(EdgeConfig edge) {
        return with(edge.retry(), edge.rateLimited(), edge.circuitBreaker(), edge.fallback());
    }

    private Policy with(RetryConfig retry, RateLimitedConfig rateLimited, CircuitBreakerConfig circuitBreaker, String fallback) {
        int attempts = this.attempts;
        Duration backoff = this.backoff, maxBackoff = this.maxBackoff, maxWait = this.maxWait;
        double jitter = this.jitter, budget = this.budget;
        Set<Failure> retryOn = this.retryOn;
        if (retry != null) {
            attempts = retry.attempts() != null ? retry.attempts() : attempts;
            backoff = retry.backoff() != null ? retry.backoff() : backoff;
            maxBackoff = retry.maxBackoff() != null ? retry.maxBackoff() : maxBackoff;
            jitter = retry.jitter() != null ? share(retry.jitter()) : jitter;
            budget = retry.budget() != null ? share(retry.budget()) : budget;
            if (retry.on() != null) {
                Set<Failure> on = EnumSet.noneOf(Failure.class);
                retry.on().forEach(word -> on.add(retried(word)));
                retryOn = on;
            }
        }
        if (rateLimited != null && rateLimited.maxWait() != null) {
            maxWait = rateLimited.maxWait();
        }
        Breaker breaker = this.breaker;
        if (circuitBreaker != null) {
            Breaker base = breaker != null ? breaker : new Breaker(0.5, 20, 10, Duration.ofSeconds(10));
            int window = circuitBreaker.window() != null ? circuitBreaker.window() : base.window();
            breaker = new Breaker(circuitBreaker.failureRate() != null ? share(circuitBreaker.failureRate()) : base.failureRate(), window,
                    circuitBreaker.minCalls() != null ? circuitBreaker.minCalls() : Math.min(base.minCalls(), window),
                    circuitBreaker.openFor() != null ? circuitBreaker.openFor() : base.openFor());
        }
        return new Policy(attempts, backoff, maxBackoff, jitter, retryOn, budget, maxWait, breaker, fallback != null ? fallback : this.fallback);
    }

    /**
     * A share written as a percentage, such as {@code 10%}, as 0 to 1.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static double share(String text) {
        String t = text.strip();
        try {
            if (t.endsWith("%")) {
                double percent = Double.parseDouble(t.substring(0, t.length() - 1).strip());
                if (percent >= 0 && percent <= 100) {
                    return percent / 100;
                }
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("'" + text + "' is not a share — write a percentage from 0% to 100%, such as 10%");
    }

    /**
     * A failure that may be retried, as {@code retry.on} names it.
     *
     * @throws IllegalArgumentException for any other word
     */
    public static Failure retried(String word) {
        Failure kind = Failure.of(word);
        if (kind != Failure.TRANSIENT && kind != Failure.UNKNOWN_OUTCOME) {
            throw new IllegalArgumentException("'" + word + "' cannot be retried — use transient or unknown-outcome (rate limits are"
                    + " waited out under rate-limited:, permanent failures never retried)");
        }
        return kind;
    }
}
