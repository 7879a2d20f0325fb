package dev.nanolith.runtime.placement;

import dev.nanolith.runtime.config.AppConfig;
import dev.nanolith.runtime.config.ServiceConfig;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which service — which process — each function of an app runs in. The code does not change
 * with it: placement is a setting of the deployment.
 *
 * @param mode      how the plan was made
 * @param serviceOf the service of each function, by function name
 */
public record Placement(Mode mode, Map<String, String> serviceOf) {

    /** How finely an app is split into processes. */
    public enum Mode {
        /** One process for the whole app: the default. */
        MONOLITH,
        /** The services of {@code nanolith.yaml}; functions in none go to the default service. */
        SERVICES,
        /** One process per function: the nano-service anti-pattern, for comparison. */
        NANO
    }

    /** The service of the functions that {@code services:} does not place. */
    public static final String DEFAULT_SERVICE = "default";

    public Placement {
        serviceOf = Map.copyOf(serviceOf);
    }

    /**
     * Plans the placement of {@code functions}. An isolated function, or a function of an
     * isolated service, keeps a process of its own (or its service's) in every mode.
     */
    public static Placement plan(Mode mode, AppConfig config, Collection<String> functions) {
        Map<String, String> plan = new LinkedHashMap<>();
        for (String function : functions) {
            String configured = configuredService(config, function);
            ServiceConfig service = configured == null ? null : config.services().get(configured);
            String placed;
            if (config.function(function).isolated()) {
                placed = function;
            } else if (service != null && service.isolated()) {
                placed = configured;
            } else {
                placed = switch (mode) {
                    case MONOLITH -> config.app();
                    case SERVICES -> configured != null ? configured : DEFAULT_SERVICE;
                    case NANO -> function;
                };
            }
            plan.put(function, placed);
        }
        return new Placement(mode, plan);
    }

    /** The first configured service with a glob that matches {@code function}, or null. */
    public static String configuredService(AppConfig config, String function) {
        for (Map.Entry<String, ServiceConfig> service : config.services().entrySet()) {
            if (service.getValue().functions().stream().anyMatch(glob -> matches(glob, function))) {
                return service.getKey();
            }
        }
        return null;
    }

    /** Whether a glob such as {@code checkout.*} matches a function name; {@code *} is any run of characters. */
    public static boolean matches(String glob, String function) {
        return glob(glob).matcher(function).matches();
    }

    /** A glob such as {@code checkout.*} as a pattern that matches whole function names. */
    public static Pattern glob(String glob) {
        return Pattern.compile(Pattern.quote(glob).replace("*", "\\E.*\\Q"));
    }
}
