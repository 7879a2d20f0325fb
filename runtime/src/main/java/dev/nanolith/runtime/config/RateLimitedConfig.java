package dev.nanolith.runtime.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Duration;

/**
 * {@code rate-limited:} of a function in {@code nanolith.yaml}: what its callers do when it says
 * it cannot serve for now and when to try again.
 *
 * @param maxWait the longest {@code Retry-After} a caller waits out before it calls again; a longer one fails the call at once
 */
public record RateLimitedConfig(@JsonProperty("max-wait") @JsonDeserialize(using = DurationDeserializer.class) Duration maxWait) {
}
