package dev.nanolith.runtime.config;

import java.util.Map;

/**
 * An app's {@code nanolith.yaml}. Everything is optional: an empty file gives an app named
 * after its directory whose functions run with the defaults.
 *
 * @param app       the app's name
 * @param functions settings per function name
 */
public record AppConfig(String app, Map<String, FunctionConfig> functions) {

    public AppConfig {
        functions = functions == null ? Map.of() : Map.copyOf(functions);
    }

    /** The settings of one function, or the defaults. */
    public FunctionConfig function(String name) {
        return functions.getOrDefault(name, FunctionConfig.DEFAULT);
    }
}
