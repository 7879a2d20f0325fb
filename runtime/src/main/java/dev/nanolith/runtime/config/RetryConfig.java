package dev.nanolith.runtime.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Duration;
import java.util.List;

/**
 * {@code retry:} of a function, or of one caller's calls of it, in {@code nanolith.yaml}; a key
 * left out takes the platform's default.
 *
 * @param attempts   how many times a call is made at most, the first included
 * @param backoff    the wait before the first retry; each next one waits twice as long
 * @param maxBackoff the longest wait between two attempts
 * @param jitter     the share of each wait drawn at random, such as {@code 50%}
 * @param on         which failures are retried: {@code transient}, {@code unknown-outcome}
 * @param budget     the share of calls that may be retries, such as {@code 10%}
 */
public record RetryConfig(
        Integer attempts,
        @JsonDeserialize(using = DurationDeserializer.class) Duration backoff,
        @JsonProperty("max-backoff") @JsonDeserialize(using = DurationDeserializer.class) Duration maxBackoff,
        String jitter,
        List<String> on,
        String budget) {
}
