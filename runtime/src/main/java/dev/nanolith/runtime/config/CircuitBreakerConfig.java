package dev.nanolith.runtime.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Duration;

/**
 * {@code circuit-breaker:} of a function in {@code nanolith.yaml}, in Resilience4j's terms.
 *
 * @param failureRate the share of failed calls among the last {@code window} that opens the breaker, such as {@code 50%}
 * @param window      how many of the last calls count
 * @param minCalls    how many calls must have been made before the rate counts
 * @param openFor     how long an open breaker fails calls at once before it lets a few through to try
 */
public record CircuitBreakerConfig(
        @JsonProperty("failure-rate") String failureRate,
        Integer window,
        @JsonProperty("min-calls") Integer minCalls,
        @JsonProperty("open-for") @JsonDeserialize(using = DurationDeserializer.class) Duration openFor) {
}
