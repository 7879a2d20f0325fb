package dev.nanolith.runtime.resilience;

import java.time.Duration;
import java.util.Optional;

/**
 * A failure that tells what it is itself, rather than by its type, for callees whose failures are
 * not the platform's exceptions: an external host's answer, classified by its status.
 */
public interface Classified {

    /** What kind of failure it is. */
    Failure failure();

    /** How long the other side asked to be left alone ({@code Retry-After}); empty when it did not say. */
    Optional<Duration> retryAfter();

    /** Whether making the same request again does no more than making it once: only then is an unknown outcome retried. */
    boolean idempotent();
}
