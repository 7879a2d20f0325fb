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

    /**
     * Whether the same request may be made again after this failure: it was not sent, or it can be
     * sent again as it was and, when its outcome is unknown, doing it twice does no more than once.
     * When it may not, it is not retried, whatever its kind.
     */
    boolean repeatable();
}
