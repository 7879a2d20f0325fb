package dev.nanolith.runtime.load;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Finds the jars of the libraries an app declares ({@code dependencies:} in its
 * {@code nanolith.yaml}), with every library they need in turn.
 */
@FunctionalInterface
public interface Libraries {

    /**
     * What resolving gave: the jars in class path order, or why declared coordinates could not be
     * resolved.
     *
     * @param jars     every jar the declared libraries need, theirs included
     * @param failures by declared coordinate, what went wrong; a failure of no one coordinate is
     *                 under the empty string
     */
    record Resolved(List<Path> jars, Map<String, String> failures) {

        public Resolved {
            jars = List.copyOf(jars);
            failures = Map.copyOf(failures);
        }
    }

    /** For an app whose libraries are on the class path already, as in its own build: nothing to add. */
    Libraries ON_CLASS_PATH = coordinates -> new Resolved(List.of(), Map.of());

    /** Libraries resolved already, by the control plane for the process that checks an app: these jars. */
    static Libraries resolved(List<Path> jars) {
        return coordinates -> new Resolved(jars, Map.of());
    }

    /** Resolves the coordinates ({@code groupId:artifactId:version}) together, as one class path. */
    Resolved resolve(List<String> coordinates);
}
