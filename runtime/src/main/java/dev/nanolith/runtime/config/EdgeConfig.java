package dev.nanolith.runtime.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What one function's calls of another do when they fail, under the caller's {@code calls:} in
 * {@code nanolith.yaml}: each key given replaces the callee's own.
 */
public record EdgeConfig(
        RetryConfig retry,
        @JsonProperty("rate-limited") RateLimitedConfig rateLimited,
        @JsonProperty("circuit-breaker") CircuitBreakerConfig circuitBreaker,
        String fallback) {
}
