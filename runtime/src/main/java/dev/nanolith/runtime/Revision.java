package dev.nanolith.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.nanolith.Functions;
import dev.nanolith.NoSuchFunctionException;
import dev.nanolith.runtime.external.Hosts;
import dev.nanolith.runtime.load.Compiler;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.placement.Endpoint;
import dev.nanolith.runtime.placement.Manifest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

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
    private volatile ObjectMapper carrier;
    private final Compiler.Output compiled;
    private final Map<String, Route> byName;
    private final Map<Class<?>, Route> byClass;
    private final Duration coldStart;
    private final Drain drain = new Drain();
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final Hosts hosts;

    /**
     * Composes every function's pipeline, which starts each function (its class initialized,
     * its object made); fails if any function cannot be started.
     *
     * @param compiled what compiling the app gave, kept for compiling its tests against and for
     *                 its workers to load without compiling again
     */
    public Revision(String app, String id, ClassLoader loader, Compiler.Output compiled, ObjectMapper mapper,
                    List<FunctionSpec> functions, Function<FunctionSpec, Schemas> schemas, Pipeline pipeline) throws LoadException {
        this.app = app;
        this.id = id;
        this.loadedAt = Instant.now();
        this.loader = loader;
        this.compiled = compiled;
        this.mapper = mapper;
        Map<String, Route> names = new LinkedHashMap<>();
        Map<Class<?>, Route> byType = new HashMap<>();
        long start = System.nanoTime();
        List<AutoCloseable> toClose = new ArrayList<>();
        for (FunctionSpec fn : functions) {
            Invoker dispatch = pipeline.dispatcher().invoker(fn);
            if (dispatch instanceof AutoCloseable closeable) {
                toClose.add(closeable);
            }
            Route route = new Route(fn, this, pipeline.wrap(fn, dispatch), schemas);
            names.put(fn.name(), route);
            byType.put(fn.implementation(), route);
        }
        this.coldStart = Duration.ofNanos(System.nanoTime() - start);
        this.hosts = pipeline.external().hosts(app, functions);
        toClose.add(hosts);
        toClose.forEach(drain::closeWhenDrained);
        this.byName = Collections.unmodifiableMap(names);
        this.byClass = Map.copyOf(byType);
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

    /** Counts an operation that starts on this revision; its end is {@link #exit}. */
    void enter() {
        drain.enter();
    }

    void exit() {
        drain.exit();
    }

    /**
     * Lets this revision go once it no longer serves: when the operations in flight on it have
     * ended, its functions that are {@link AutoCloseable} are closed, and nothing of the platform
     * keeps its classes, so its class loader can be collected.
     */
    public Thread retire() {
        // Jackson's shared type cache, used by apps that make their own mappers, would hold this revision's classes.
        return drain.start(toString(), () -> TypeFactory.defaultInstance().clearCache());
    }

    /**
     * Where this revision's services that run in processes of their own listen, by service name:
     * filled before the revision serves, so that a call never crosses revisions.
     */
    public Map<String, Endpoint> endpoints() {
        return endpoints;
    }

    /**
     * The values of the secrets this process's functions declare, by name: filled as the revision
     * loads and replaced while it serves when one is set or removed ({@code ./nanolith secrets}).
     */
    public Map<String, String> secrets() {
        return secrets;
    }

    /** The external hosts its functions call ({@code ctx.http()}), with their guards and edges. */
    Hosts hosts() {
        return hosts;
    }

    /** Closes {@code resource} (such as its library class loader) when the revision retires. */
    public void closeWhenRetired(AutoCloseable resource) {
        drain.closeWhenDrained(resource);
    }

    /** The compiled classes by binary name. */
    public Map<String, byte[]> classes() {
        return compiled.classes();
    }

    /** What compiling the app gave: its classes and what its sources say of them. */
    public Compiler.Output compiled() {
        return compiled;
    }

    /** How long starting every function took: classes initialized, objects made, pipelines composed. */
    public Duration coldStart() {
        return coldStart;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    /**
     * The mapper of values carried between this platform's processes (see {@link Json#carrier}),
     * made on the first call that crosses one: a revision that runs in one process never needs it.
     */
    ObjectMapper carrier() {
        ObjectMapper made = carrier;
        if (made == null) {
            synchronized (this) {
                made = carrier;
                if (made == null) {
                    carrier = made = Json.carrier(mapper);
                }
            }
        }
        return made;
    }

    /** What the control plane is told of this revision: its functions, where they are placed, their schemas. */
    public Manifest manifest() {
        Map<String, String> byClass = new HashMap<>();
        routes().forEach(route -> byClass.put(route.spec().implementation().getName(), route.name()));
        Map<String, List<String>> callees = compiled.callees(byClass);
        return new Manifest(app, routes().stream().map(route -> {
            FunctionSpec fn = route.spec();
            Compiler.SourceClass source = compiled.sources().get(fn.implementation().getName());
            return new Manifest.Function(fn.name(), fn.service(), fn.description(), fn.shape(), fn.timeout().toMillis(), fn.config(),
                    fn.source(), route.inputSchema(), route.outputSchema(), fn.access(),
                    fn.rateLimit(), callees.getOrDefault(fn.name(), List.of()), source == null ? "" : source.shape(), fn.copies());
        }).toList());
    }

    /** The functions, in the order they were found. */
    public Collection<Route> routes() {
        return byName.values();
    }

    /** A function by name, or null. */
    public Route route(String name) {
        return byName.get(name);
    }

    /**
     * Calls this revision's functions from outside any function, on the caller's thread: for an
     * app's tests and other in-process callers. Each call has its function's own timeout.
     */
    public Functions functions(String principal) {
        return new AbstractFunctions() {
            @Override
            Object byClass(Class<?> function, Object input) {
                return route(function).callEntry(input, principal);
            }

            @Override
            public <O> O call(String function, Object input, Class<O> output) {
                enter();
                try {
                    return Revision.this.call(function, input, output, null, principal, null, System.nanoTime() + Route.NO_DEADLINE, Trace.next());
                } finally {
                    exit();
                }
            }
        };
    }

    /** A call by name: the callee's input and the caller's output converted when their types differ. */
    <O> O call(String function, Object input, Class<O> output, Call parent, String principal, String from, long deadline, Trace trace) {
        Route callee = route(function);
        if (callee == null) {
            throw new NoSuchFunctionException(function);
        }
        Object result = callee.invoke(callee.convertInput(input), parent, principal, from, deadline, trace, false);
        return result == null || output.isInstance(result) ? output.cast(result) : mapper.convertValue(result, output);
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
