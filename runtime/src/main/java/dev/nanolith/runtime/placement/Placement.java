package dev.nanolith.runtime.placement;

import dev.nanolith.runtime.config.AppConfig;
import dev.nanolith.runtime.config.ServiceConfig;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which service — which process — each function of an app runs in. The code does not change
 * with it: placement is a setting of the deployment.
 *
 * @param mode      how the plan was made
 * @param serviceOf the service of each function, by function name
 * @param copies    per library function ({@code library: true}), the other services that run a copy of it: those of the
 *                  functions whose code calls it, which call their own copy, behind no hop
 */
public record Placement(Mode mode, Map<String, String> serviceOf, Map<String, Set<String>> copies) {

    /** How finely an app is split into processes. */
    public enum Mode {
        /** One process for the whole app: the default. */
        MONOLITH,
        /** The services of {@code nanolith.yaml}; functions in none go to the default service. */
        SERVICES,
        /** One process per function: the nano-service anti-pattern, for comparison. */
        NANO
    }

    /**
     * How a revision's functions are placed: the platform's mode, and the services a plan chose
     * for some of them ({@code ./nanolith plan --apply}), which win over the mode.
     *
     * @param mode    how the functions a plan does not name are placed
     * @param planned the service of each function a plan placed, by function name; empty: none
     */
    public record Rule(Mode mode, Map<String, String> planned) {

        public Rule {
            planned = Map.copyOf(planned);
        }

        /** The mode alone. */
        public static Rule of(Mode mode) {
            return new Rule(mode, Map.of());
        }
    }

    /** The service of the functions that {@code services:} does not place. */
    public static final String DEFAULT_SERVICE = "default";

    public Placement {
        serviceOf = Map.copyOf(serviceOf);
        copies = Map.copyOf(copies);
    }

    /**
     * Plans the placement of {@code functions}. An isolated function, or a function of an
     * isolated service, keeps a process of its own (or its service's) in every mode and plan.
     */
    public static Placement plan(Rule rule, AppConfig config, Collection<String> functions) {
        return plan(rule, config, functions, Map.of());
    }

    /**
     * Plans the placement of {@code functions}, as {@link #plan(Rule, AppConfig, Collection)}
     * does, and where library functions are copied: into the service of every function whose code
     * calls one ({@code calls}: each function's callees), a library function's own calls included.
     */
    public static Placement plan(Rule rule, AppConfig config, Collection<String> functions, Map<String, List<String>> calls) {
        Mode mode = rule.mode();
        Map<String, String> plan = new LinkedHashMap<>();
        for (String function : functions) {
            String configured = configuredService(config, function);
            ServiceConfig service = configured == null ? null : config.services().get(configured);
            String placed;
            if (config.function(function).isolated()) {
                placed = function;
            } else if (service != null && service.isolated()) {
                placed = configured;
            } else if (rule.planned().containsKey(function)) {
                placed = rule.planned().get(function);
            } else {
                placed = switch (mode) {
                    case MONOLITH -> config.app();
                    case SERVICES -> configured != null ? configured : DEFAULT_SERVICE;
                    case NANO -> function;
                };
            }
            plan.put(function, placed);
        }
        Map<String, Set<String>> copies = new TreeMap<>();
        // A copy of a library function that calls another library function needs a copy of that one too: until nothing changes.
        for (boolean changed = true; changed; ) {
            changed = false;
            for (String caller : functions) {
                Set<String> where = new TreeSet<>(copies.getOrDefault(caller, Set.of()));
                where.add(plan.get(caller));
                for (String callee : calls.getOrDefault(caller, List.of())) {
                    if (plan.containsKey(callee) && config.function(callee).library() && !config.function(callee).isolated()) {
                        for (String service : where) {
                            if (!service.equals(plan.get(callee)) && copies.computeIfAbsent(callee, c -> new TreeSet<>()).add(service)) {
                                changed = true;
                            }
                        }
                    }
                }
            }
        }
        return new Placement(mode, plan, copies);
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
