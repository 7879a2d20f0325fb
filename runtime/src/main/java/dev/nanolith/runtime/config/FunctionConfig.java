package dev.nanolith.runtime.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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
 */
public record FunctionConfig(
        String description,
        @JsonDeserialize(using = DurationDeserializer.class) Duration timeout,
        Map<String, String> config,
        List<String> secrets,
        Boolean isolated,
        String access,
        @JsonProperty("rate-limit") String rateLimit,
        List<String> callers) {

    /** The entry of a function that {@code nanolith.yaml} does not mention. */
    public static final FunctionConfig DEFAULT = new FunctionConfig(null, null, Map.of(), List.of(), false, null, null, List.of());

    public FunctionConfig {
        isolated = isolated != null && isolated;
        config = config == null ? Map.of() : Map.copyOf(config);
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
        callers = callers == null ? List.of() : List.copyOf(callers);
    }
}
