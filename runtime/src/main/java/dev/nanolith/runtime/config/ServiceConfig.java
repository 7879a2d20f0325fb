package dev.nanolith.runtime.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One service under {@code services:}: a group of functions that share a process. Written as a
 * list of globs ({@code storefront: [checkout.*, pricing.*]}) or as a map
 * ({@code payments: {functions: [payments.*], isolated: true, memory: 128m, owner: payments-team, scale: independent}}).
 *
 * @param functions globs of function names, such as {@code checkout.*}
 * @param isolated  whether the service keeps a process of its own in every placement mode
 * @param memory    the heap limit of its worker, as {@code java -Xmx} takes it ({@code 128m}, {@code 1g}); null for the platform's default
 * @param owner     the team that owns its functions, unless a function names its own; null: none
 * @param scale     {@value #INDEPENDENT} when it must scale on its own: a placement plan never groups its functions with others
 */
public record ServiceConfig(List<String> functions, boolean isolated, String memory, String owner, String scale) {

    /**
     * {@code text} as {@code services:} takes a service's name: lower-case letters, digits and
     * dashes, starting with a letter ({@code orders.create-order} becomes {@code orders-create-order}).
     */
    public static String nameFor(String text) {
        String name = text.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^[^a-z]+", "");
        return name.isEmpty() ? "service" : name;
    }

    /** The {@code scale:} of a service that scales on its own. */
    public static final String INDEPENDENT = "independent";

    /** What {@code memory} must look like: a number of megabytes or gigabytes. */
    public static final String MEMORY = "[1-9][0-9]*[mMgG]";

    /** The smallest {@code memory} a worker is given, in megabytes: below it a JVM with the runtime does not start. */
    public static final int MINIMUM_MEGABYTES = 32;

    public ServiceConfig {
        functions = functions == null ? List.of() : List.copyOf(functions);
    }

    /** The heap limit in bytes, or 0 when none is set (or it is not a size). */
    public long memoryBytes() {
        if (memory == null || !memory.matches(MEMORY)) {
            return 0;
        }
        long amount = Long.parseLong(memory.substring(0, memory.length() - 1));
        return Character.toLowerCase(memory.charAt(memory.length() - 1)) == 'g' ? amount << 30 : amount << 20;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static ServiceConfig of(List<String> functions) {
        return new ServiceConfig(functions, false, null, null, null);
    }

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    static ServiceConfig of(@JsonProperty("functions") List<String> functions, @JsonProperty("isolated") Boolean isolated,
                            @JsonProperty("memory") String memory, @JsonProperty("owner") String owner,
                            @JsonProperty("scale") String scale) {
        return new ServiceConfig(functions, isolated != null && isolated, memory, owner, scale);
    }
}
