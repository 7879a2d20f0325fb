package dev.nanolith.runtime.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One function's entry under {@code functions:} in {@code nanolith.yaml}.
 *
 * @param description replaces the description taken from the class's Javadoc
 * @param timeout     how long one call may take, its nested calls included
 * @param config      settings the function reads with {@code ctx.config(key)}
 * @param secrets     names of secrets delivered to this function only
 * @param isolated    whether the function runs in a process of its own in every placement mode
 * @param access      who may call it through the gateway: {@code public}, {@code key} or {@code internal}
 *                    ({@link dev.nanolith.runtime.security.Access}); null: the app's
 * @param rateLimit   how many calls each caller (each credential, or all callers without one together) may make
 *                    through the gateway, such as {@code 100/s}; null: no limit
 * @param callers     globs of the functions that may call it, such as {@code checkout.*}; empty: any function
 * @param idempotent  whether calling it twice with the same input does no more than calling it once: then a call
 *                    whose outcome is unknown (its process died, it failed or timed out) may be made again
 * @param retry       how its callers retry a failed call; null: the platform's default
 * @param rateLimited how its callers wait out its {@code Retry-After}; null: the platform's default
 * @param circuitBreaker when its callers stop calling it for a while; null: never
 * @param concurrency how many calls of it may run at once in its process; more are refused at once; null: no limit
 * @param fallback    the function of the app called, with the same input, when a call of this one fails
 * @param calls       per callee of this function, what its calls of that one do instead of the callee's own
 * @param hosts       per external host this function calls ({@code ctx.http()}), keyed by origin, what its requests there do
 *                    instead of the platform's default for hosts
 * @param owner       the team that owns it; null: its service's owner, if any
 * @param library     whether it is a library function: a technical utility (validation, formatting, …) that a placement plan
 *                    places with its callers, never behind a hop of its own
 */
public record FunctionConfig(
        String description,
        @JsonDeserialize(using = DurationDeserializer.class) Duration timeout,
        Map<String, String> config,
        List<String> secrets,
        Boolean isolated,
        String access,
        @JsonProperty("rate-limit") String rateLimit,
        List<String> callers,
        Boolean idempotent,
        RetryConfig retry,
        @JsonProperty("rate-limited") RateLimitedConfig rateLimited,
        @JsonProperty("circuit-breaker") CircuitBreakerConfig circuitBreaker,
        Integer concurrency,
        String fallback,
        Map<String, EdgeConfig> calls,
        Map<String, HostConfig> hosts,
        String owner,
        Boolean library) {

    /** What a secret's name may be: an environment variable's (POSIX), at most 128 characters. */
    public static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    /** Why {@code name} is not a secret's name. */
    public static String notASecretName(String name) {
        return "secret name '" + name + "' is not valid — use ASCII letters, digits and _, not starting with a digit, at most 128";
    }

    /** The entry of a function that {@code nanolith.yaml} does not mention. */
    public static final FunctionConfig DEFAULT = new FunctionConfig(null, null, Map.of(), List.of(), false, null, null, List.of(),
            false, null, null, null, null, null, Map.of(), Map.of(), null, false);

    public FunctionConfig {
        isolated = isolated != null && isolated;
        config = config == null ? Map.of() : Map.copyOf(config);
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
        callers = callers == null ? List.of() : List.copyOf(callers);
        idempotent = idempotent != null && idempotent;
        library = library != null && library;
        calls = calls == null ? Map.of() : Map.copyOf(calls);
        if (hosts == null) {
            hosts = Map.of();
        } else {
            // In the file's order, for problems that name an earlier entry; a host listed with nothing under it takes the defaults.
            Map<String, HostConfig> ordered = new LinkedHashMap<>();
            hosts.forEach((origin, host) -> ordered.put(origin, host == null ? new HostConfig(null, null, null) : host));
            hosts = Collections.unmodifiableMap(ordered);
        }
    }
}
