package dev.nanolith.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanolith.NoSuchFunctionException;
import dev.nanolith.runtime.load.LoadException;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One loaded version of an app: its own class loader, its functions and their composed
 * pipelines. Immutable; a call that starts on a revision ends on it.
 */
public final class Revision {

    /** The JSON schemas of a function's input and output. */
    public record Schemas(JsonNode input, JsonNode output) {
    }

    private final String app;
    private final String id;
    private final Instant loadedAt;
    private final ClassLoader loader;
    private final ObjectMapper mapper;
    private final Map<String, Route> byName;
    private final Map<Class<?>, Route> byClass;

    /** Composes every function's pipeline; fails if any function cannot be prepared. */
    public Revision(String app, String id, ClassLoader loader, ObjectMapper mapper,
                    List<FunctionSpec> functions, Map<String, Schemas> schemas, Pipeline pipeline) throws LoadException {
        this.app = app;
        this.id = id;
        this.loadedAt = Instant.now();
        this.loader = loader;
        this.mapper = mapper;
        Map<String, Route> names = new LinkedHashMap<>();
        Map<Class<?>, Route> classes = new HashMap<>();
        for (FunctionSpec fn : functions) {
            Schemas s = schemas.get(fn.name());
            Route route = new Route(fn, this, pipeline.compose(fn), s.input(), s.output());
            names.put(fn.name(), route);
            classes.put(fn.implementation(), route);
        }
        this.byName = Collections.unmodifiableMap(names);
        this.byClass = Map.copyOf(classes);
    }

    public String app() {
        return app;
    }

    public String id() {
        return id;
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    /** The class loader that holds this revision's classes, for nothing else to keep. */
    public ClassLoader loader() {
        return loader;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    /** The functions, in the order they were found. */
    public Collection<Route> routes() {
        return byName.values();
    }

    /** A function by name, or null. */
    public Route route(String name) {
        return byName.get(name);
    }

    /** A function by class. */
    Route route(Class<?> implementation) {
        Route route = byClass.get(implementation);
        if (route == null) {
            throw new NoSuchFunctionException(implementation.getName());
        }
        return route;
    }

    @Override
    public String toString() {
        return app + "@" + id;
    }
}
