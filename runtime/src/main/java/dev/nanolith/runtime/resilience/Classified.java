package dev.nanolith.runtime.resilience;

import java.time.Duration;
import java.util.Optional;

/**
 * A failure that tells what it is itself, rather than by its type: a request to an external host,
 * classified by its answer ({@link dev.nanolith.runtime.external.HostClient}).
 */
public interface Classified {

    /** What kind of failure it is. */
    Failure failure();

    /** How long the other side asked to be left alone ({@code Retry-After}); empty when it did not say. */
    Optional<Duration> retryAfter();

    /** Whether making the same request again does no more than making it once: only then is an unknown outcome retried. */
    boolean idempotent();
}
