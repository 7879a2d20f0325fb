package dev.nanolith.runtime.config;

import dev.nanolith.runtime.security.Access;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * An app's {@code nanolith.yaml}. Everything is optional: an empty file gives an app named
 * after its directory whose functions run with the defaults.
 *
 * @param app       the app's name
 * @param config    settings every function of the app reads, unless its own config sets the same key
 * @param functions settings per function name
 * @param services  placement groups by name; functions in none go to the default service
 * @param dependencies the libraries the app's code uses, as Maven coordinates {@code groupId:artifactId:version}
 * @param access    who may call a function whose own entry says nothing, through the gateway; null: {@link Access#DEFAULT}
 */
public record AppConfig(String app, Map<String, String> config, Map<String, FunctionConfig> functions,
                        Map<String, ServiceConfig> services, List<String> dependencies, String access) {

    /** What an app's name may be: lower-case letters, digits and dashes, starting with a letter, at most 63 characters. */
    public static final Pattern APP_NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");

    /** Why {@code name} is not an app's name. */
    public static String notAnAppName(String name) {
        return "'" + name + "' is not a valid app name — use lower-case letters, digits and dashes, starting with a letter, at most 63";
    }

    public AppConfig {
        dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
        services = services == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(services));
        config = config == null ? Map.of() : Map.copyOf(config);
        functions = functions == null ? Map.of() : functions.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> e.getValue() == null ? FunctionConfig.DEFAULT : e.getValue()));
    }

    /** The settings of one function, or the defaults. */
    public FunctionConfig function(String name) {
        return functions.getOrDefault(name, FunctionConfig.DEFAULT);
    }

    /** Who may call {@code function} through the gateway: its own access, or the app's, or the default. */
    public Access accessOf(String function) {
        String word = function(function).access() != null ? function(function).access() : access;
        return word == null ? Access.DEFAULT : Access.of(word);
    }

    /** One function's settings: the app's, overridden by the function's own. */
    public Map<String, String> configOf(String function) {
        Map<String, String> merged = new HashMap<>(config);
        merged.putAll(function(function).config());
        return merged;
    }
}
