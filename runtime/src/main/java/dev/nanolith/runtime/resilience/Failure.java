package dev.nanolith.runtime.resilience;

import dev.nanolith.BadInputException;
import dev.nanolith.DeadlineExceededException;
import dev.nanolith.FunctionFailedException;
import dev.nanolith.NoSuchFunctionException;
import dev.nanolith.RefusedException;
import dev.nanolith.ServiceUnavailableException;
import dev.nanolith.runtime.MalformedJsonException;
import java.util.Locale;

/**
 * What a failed call tells its caller about calling again: the one classification every caller
 * of a function uses, in every process.
 */
public enum Failure {

    /**
     * The callee cannot serve for now and says when to try again: a refusal with
     * {@code Retry-After} ({@link RefusedException#unavailable}) or with status 429. Nothing was
     * done; wait, then call again.
     */
    RATE_LIMITED,

    /** The call never reached the callee: its process is down or restarting, or the connection failed before the request went. */
    TRANSIENT,

    /**
     * The call was refused for what it asks (a refusal with a 4xx, bad input, no such function),
     * or an open circuit breaker failed it fast. Calling again now gives the same.
     */
    PERMANENT,

    /** The callee failed or ran out of time after it may have acted: only an idempotent function may be called again. */
    UNKNOWN_OUTCOME;

    /** The word {@code nanolith.yaml} uses for it, such as {@code unknown-outcome}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The kind named {@code word} in {@code nanolith.yaml}, or null. */
    public static Failure of(String word) {
        for (Failure kind : values()) {
            if (kind.word().equals(word)) {
                return kind;
            }
        }
        return null;
    }

    /**
     * What {@code failure}, thrown by a call of {@code callee}, is. A process that is down is
     * transient only when it is the callee's own and the request did not reach it; when a
     * function the callee called was down, the callee ran, and may have acted.
     */
    public static Failure of(Throwable failure, String callee) {
        return switch (failure) {
            case Classified classified -> classified.failure();
            // An open breaker is there to fail fast: callers further up do not wait it out.
            case RefusedException refused when refused.code().equals(Guard.CIRCUIT_OPEN) -> PERMANENT;
            case RefusedException refused -> refused.retryAfter().isPresent() || refused.status() == 429 ? RATE_LIMITED : PERMANENT;
            case ServiceUnavailableException down -> down.function().equals(callee) && !down.delivered() ? TRANSIENT : UNKNOWN_OUTCOME;
            case BadInputException bad -> PERMANENT;
            case NoSuchFunctionException none -> PERMANENT;
            case MalformedJsonException malformed -> PERMANENT;
            case DeadlineExceededException late -> UNKNOWN_OUTCOME;
            case FunctionFailedException failed -> UNKNOWN_OUTCOME;
            default -> UNKNOWN_OUTCOME;
        };
    }
}
