package dev.nanolith.runtime.load;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import dev.nanolith.Nano;
import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.Json;
import dev.nanolith.runtime.Pipeline;
import dev.nanolith.runtime.Revision;
import dev.nanolith.runtime.config.ConfigFile;
import dev.nanolith.runtime.config.FunctionConfig;
import dev.nanolith.runtime.placement.Placement;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Turns an app directory ({@code nanolith.yaml} and {@code src/main/java}) into a revision:
 * compiles it in memory, loads it into a fresh class loader, finds its functions and checks
 * its config. Any problem fails the whole load, with every problem found listed.
 */
public final class AppLoader {

    /** Where an app's sources live, relative to its root. */
    public static final String SOURCES = "src/main/java";

    private final Pipeline pipeline;
    private final UnaryOperator<String> settings;
    private final Duration defaultTimeout;
    private final Compiler compiler;
    private final Path precompiled;
    private final boolean ownClasses;
    private final Placement.Mode placement;

    /**
     * @param pipeline       the stages and dispatcher every function's calls go through
     * @param settings       environment for {@code ${NAME}} in config and for secrets; null when unset
     * @param defaultTimeout the timeout of a function whose config sets none
     */
    public AppLoader(Pipeline pipeline, UnaryOperator<String> settings, Duration defaultTimeout) {
        this(pipeline, settings, defaultTimeout, true);
    }

    /**
     * @param ownClasses false when the app's classes are on the class path already (its tests run
     *                   in its own build) and must be the ones its revision runs, so that the tests
     *                   and the functions see the same classes
     */
    public AppLoader(Pipeline pipeline, UnaryOperator<String> settings, Duration defaultTimeout, boolean ownClasses) {
        this(pipeline, settings, defaultTimeout, ownClasses, Placement.Mode.MONOLITH);
    }

    /** @param placement how finely apps are split into services (processes) */
    public AppLoader(Pipeline pipeline, UnaryOperator<String> settings, Duration defaultTimeout, boolean ownClasses,
                     Placement.Mode placement) {
        this(pipeline, settings, defaultTimeout, ownClasses, placement, null);
    }

    /**
     * @param precompiled for a service's process: what the platform's own process compiled of the
     *                    app, written by {@link Compiler.Output#write}, loaded instead of compiling
     *                    again (null: compile)
     */
    public AppLoader(Pipeline pipeline, UnaryOperator<String> settings, Duration defaultTimeout, boolean ownClasses,
                     Placement.Mode placement, Path precompiled) {
        this.precompiled = precompiled;
        this.placement = placement;
        this.pipeline = pipeline;
        this.settings = settings;
        this.defaultTimeout = defaultTimeout;
        this.compiler = new Compiler(Compiler.defaultClassPath());
        this.ownClasses = ownClasses;
    }

    /** Loads the app in {@code dir}; {@code ids} names its revision, given the app's name. */
    public Revision load(Path dir, UnaryOperator<String> ids) throws LoadException {
        return load(dir, null, ids);
    }

    /**
     * Loads the app in {@code dir}, which must be the app {@code expected} (null: any); a
     * {@code nanolith.yaml} without {@code app:} is taken to be it.
     */
    public Revision load(Path dir, String expected, UnaryOperator<String> ids) throws LoadException {
        ConfigFile file = ConfigFile.read(dir, expected, settings);
        String app = file.config().app();
        if (expected != null && !app.equals(expected)) {
            throw new LoadException(new Problem(ConfigFile.NAME, file.line("/app"), "app is '" + app
                    + "', but this is the repository of '" + expected + "' — set app: " + expected + " or push to the repository of '" + app + "'"));
        }
        String id = ids.apply(app);
        Compiler.Output compiled = precompiled != null ? Compiler.Output.read(precompiled) : compiler.compile(sources(dir));
        ClassLoader loader = new RevisionClassLoader(app + "@" + id, compiled.classes(), AppLoader.class.getClassLoader(), ownClasses);
        ObjectMapper mapper = Json.mapper();
        List<Problem> problems = new ArrayList<>();
        Map<String, Class<?>> functions = discover(compiled, loader, problems);
        problems.addAll(checkConfig(file, functions));
        problems.addAll(checkCalls(compiled, functions));
        if (!problems.isEmpty()) {
            throw new LoadException(problems);
        }
        Placement plan = Placement.plan(placement, file.config(), functions.keySet());
        List<FunctionSpec> specs = new ArrayList<>();
        for (Map.Entry<String, Class<?>> e : functions.entrySet()) {
            String name = e.getKey();
            Class<?> type = e.getValue();
            JavaType[] io = mapper.getTypeFactory().constructType(type)
                    .findTypeParameters(Nano.class.isAssignableFrom(type) ? Nano.class : Function.class);
            JavaType input = io.length == 2 ? io[0] : mapper.constructType(Object.class);
            JavaType output = io.length == 2 ? io[1] : mapper.constructType(Object.class);
            FunctionConfig fc = file.config().function(name);
            Compiler.SourceClass source = compiled.sources().get(type.getName());
            Map<String, String> secrets = new HashMap<>();
            for (String secret : fc.secrets()) {
                String value = settings.apply(secret);
                if (value == null) {
                    problems.add(new Problem(ConfigFile.NAME, file.line("/functions/" + ConfigFile.escape(name) + "/secrets"),
                            "secret " + secret + " of '" + name + "' is not set — set the environment variable " + secret));
                } else {
                    secrets.put(secret, value);
                }
            }
            specs.add(new FunctionSpec(app, name, fc.description() != null ? fc.description() : source.description(), type,
                    input, output, fc.timeout() != null ? fc.timeout() : defaultTimeout, file.config().configOf(name), secrets,
                    source.file() + ":" + source.line(), plan.serviceOf().get(name)));
        }
        if (!problems.isEmpty()) {
            throw new LoadException(problems);
        }
        // Schemas are made when first asked for (GET /fn): most processes, a service's among them, never are.
        SchemaGenerator schemas = schemaGenerator();
        return new Revision(app, id, loader, compiled, mapper, specs, fn -> {
            synchronized (schemas) {
                return new Revision.Schemas(schema(schemas, fn.input()), schema(schemas, fn.output()));
            }
        }, pipeline);
    }

    private static Map<String, String> sources(Path dir) throws LoadException {
        if (!Files.isDirectory(dir.resolve(SOURCES))) {
            throw new LoadException(Problem.of(SOURCES, "missing — put the app's functions under " + SOURCES));
        }
        Map<String, String> sources = Compiler.sources(dir, SOURCES);
        if (sources.isEmpty()) {
            throw new LoadException(Problem.of(SOURCES, "has no .java files — an app needs at least one function"));
        }
        return sources;
    }

    private static Map<String, Class<?>> discover(Compiler.Output compiled, ClassLoader loader, List<Problem> problems) {
        Map<String, Class<?>> functions = new LinkedHashMap<>();
        Map<String, Compiler.SourceClass> where = new HashMap<>();
        for (String className : new TreeMap<>(compiled.sources()).keySet()) {
            Class<?> type;
            try {
                type = Class.forName(className, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                continue;
            }
            boolean nano = Nano.class.isAssignableFrom(type);
            if (!(nano || Function.class.isAssignableFrom(type)) || type.isInterface()
                    || Modifier.isAbstract(type.getModifiers()) || type.isAnonymousClass() || type.isLocalClass()) {
                continue;
            }
            Compiler.SourceClass source = compiled.sources().get(className);
            boolean reachable = Modifier.isPublic(type.getModifiers())
                    && (type.getEnclosingClass() == null || Modifier.isStatic(type.getModifiers()));
            if (!reachable) {
                if (nano) {
                    problems.add(new Problem(source.file(), source.line(), type.getSimpleName()
                            + " implements Nano but is not a public top-level class — make it public to deploy it"));
                }
                continue;
            }
            String name = Names.of(type);
            if (!Names.VALID.matcher(name).matches()) {
                problems.add(new Problem(source.file(), source.line(), "function name '" + name
                        + "' is not valid — use lower-case words of letters, digits and dashes joined by dots, like checkout.verify-items"));
                continue;
            }
            Compiler.SourceClass first = where.putIfAbsent(name, source);
            if (first != null) {
                problems.add(new Problem(source.file(), source.line(), "function '" + name + "' is named twice (also "
                        + first.file() + ":" + first.line() + ") — give one of them another name with @Name"));
                continue;
            }
            functions.put(name, type);
        }
        if (functions.isEmpty() && problems.isEmpty()) {
            problems.add(Problem.of(SOURCES, "has no functions — a function is a public class implementing dev.nanolith.Nano or java.util.function.Function"));
        }
        return functions;
    }

    private static List<Problem> checkConfig(ConfigFile file, Map<String, Class<?>> functions) {
        List<Problem> problems = new ArrayList<>();
        Map<String, String> placedIn = new HashMap<>();
        file.config().services().forEach((service, config) -> {
            String at = "/services/" + ConfigFile.escape(service);
            if (!service.matches("[a-z][a-z0-9-]*")) {
                problems.add(new Problem(ConfigFile.NAME, file.line(at), "service name '" + service
                        + "' is not valid — use lower-case letters, digits and dashes, starting with a letter"));
            }
            for (int i = 0; i < config.functions().size(); i++) {
                String glob = config.functions().get(i);
                int line = Math.max(file.line(at + "/" + i), file.line(at + "/functions/" + i));
                List<String> matched = functions.keySet().stream().filter(f -> Placement.matches(glob, f)).toList();
                if (matched.isEmpty()) {
                    problems.add(new Problem(ConfigFile.NAME, line, "services." + service + ": '" + glob
                            + "' matches no function — its functions are " + String.join(", ", functions.keySet())));
                }
                for (String function : matched) {
                    String other = placedIn.putIfAbsent(function, service);
                    if (other != null && !other.equals(service)) {
                        problems.add(new Problem(ConfigFile.NAME, line, "services." + service + ": '" + function
                                + "' is in service '" + other + "' already — a function belongs to one service"));
                    }
                }
            }
        });
        for (String name : file.config().functions().keySet()) {
            if (!functions.containsKey(name)) {
                problems.add(new Problem(ConfigFile.NAME, file.functionLine(name), "functions." + name
                        + ": this app has no function '" + name + "' — its functions are " + String.join(", ", functions.keySet())));
            }
        }
        return problems;
    }

    private static List<Problem> checkCalls(Compiler.Output compiled, Map<String, Class<?>> functions) {
        Map<String, String> byClass = functions.entrySet().stream()
                .collect(Collectors.toMap(e -> e.getValue().getName(), Map.Entry::getKey));
        List<Problem> problems = new ArrayList<>();
        for (Compiler.CallSite call : compiled.calls()) {
            if (call.calleeName() != null && !functions.containsKey(call.calleeName())) {
                problems.add(new Problem(call.file(), call.line(), "calls '" + call.calleeName()
                        + "', which is not a function of this app — its functions are " + String.join(", ", functions.keySet())));
            }
            if (call.calleeClass() != null && compiled.sources().containsKey(call.calleeClass())
                    && !byClass.containsKey(call.calleeClass())) {
                problems.add(new Problem(call.file(), call.line(), "calls " + call.calleeClass()
                        + ", which is not a deployable function — make it a public, concrete class"));
            }
        }
        return problems;
    }

    private static SchemaGenerator schemaGenerator() {
        SchemaGeneratorConfigBuilder config = new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
                .with(new JacksonModule())
                .with(Option.FLATTENED_OPTIONALS);
        config.forFields().withRequiredCheck(field -> field.getDeclaringType().getErasedType().isRecord()
                && !field.getType().isInstanceOf(Optional.class));
        return new SchemaGenerator(config.build());
    }

    private static com.fasterxml.jackson.databind.JsonNode schema(SchemaGenerator generator, JavaType type) {
        if (type.getRawClass() == Optional.class && type.containedTypeCount() == 1) {
            return schema(generator, type.containedType(0));
        }
        Type[] params = type.getBindings().getTypeParameters().stream().map(JavaType::getRawClass).toArray(Type[]::new);
        return generator.generateSchema(type.getRawClass(), params);
    }
}
