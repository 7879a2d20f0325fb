package dev.nanolith.runtime.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One service under {@code services:}: a group of functions that share a process. Written as a
 * list of globs ({@code storefront: [checkout.*, pricing.*]}) or as a map
 * ({@code payments: {functions: [payments.*], isolated: true}}).
 *
 * @param functions globs of function names, such as {@code checkout.*}
 * @param isolated  whether the service keeps a process of its own in every placement mode
 */
public record ServiceConfig(List<String> functions, boolean isolated) {

    public ServiceConfig {
        functions = functions == null ? List.of() : List.copyOf(functions);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static ServiceConfig of(List<String> functions) {
        return new ServiceConfig(functions, false);
    }

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    static ServiceConfig of(@JsonProperty("functions") List<String> functions, @JsonProperty("isolated") Boolean isolated) {
        return new ServiceConfig(functions, isolated != null && isolated);
    }
}
