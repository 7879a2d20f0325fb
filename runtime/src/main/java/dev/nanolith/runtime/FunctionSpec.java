package dev.nanolith.runtime;

import com.fasterxml.jackson.databind.JavaType;
import dev.nanolith.runtime.resilience.Policies;
import dev.nanolith.runtime.security.Access;
import dev.nanolith.runtime.security.RateLimit;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A function of a loaded app, with everything the pipeline needs to run it.
 *
 * @param app            the app it belongs to
 * @param name           its name, unique on the platform
 * @param description    one sentence for people, from its Javadoc or {@code nanolith.yaml}
 * @param implementation its class
 * @param shape          which interface its class implements
 * @param input          the type its input is read as; {@code Void} when it takes none
 * @param output         the type of what it returns; {@code Void} when it returns nothing
 * @param timeout        how long one call may take
 * @param config         its settings
 * @param secrets        the names of its secrets; their values are its revision's ({@link Revision#secrets()})
 * @param source         where its class is declared, as {@code file:line}
 * @param service        the service (process) it is placed in
 * @param access         who may call it through the gateway
 * @param rateLimit      how many calls each caller may make through the gateway; null: no limit
 * @param callers        globs of the functions that may call it; empty: any
 * @param policies       what its callers do when a call of it fails, and what its process allows
 * @param copies         for a library function, the services besides its own that run a copy of it
 */
public record FunctionSpec(
        String app,
        String name,
        String description,
        Class<?> implementation,
        Shape shape,
        JavaType input,
        JavaType output,
        Duration timeout,
        Map<String, String> config,
        List<String> secrets,
        String source,
        String service,
        Access access,
        RateLimit rateLimit,
        List<String> callers,
        Policies policies,
        Set<String> copies) {

    public FunctionSpec {
        copies = copies == null ? Set.of() : Set.copyOf(copies);
        config = Map.copyOf(config);
        secrets = List.copyOf(secrets);
        callers = List.copyOf(callers);
    }

    @Override
    public String toString() {
        return "FunctionSpec[" + name + " of " + app + ", " + implementation.getName() + "]";
    }
}
