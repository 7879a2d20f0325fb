package dev.nanolith.runtime.load;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import dev.nanolith.Functions;
import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.Json;
import dev.nanolith.runtime.Pipeline;
import dev.nanolith.runtime.Revision;
import dev.nanolith.runtime.Shape;
import dev.nanolith.runtime.config.ConfigFile;
import dev.nanolith.runtime.config.FunctionConfig;
import dev.nanolith.runtime.config.ServiceConfig;
import dev.nanolith.runtime.deadline.Deadlines;
import dev.nanolith.runtime.deadline.Watchdog;
import dev.nanolith.runtime.dispatch.LocalDispatcher;
import dev.nanolith.runtime.external.ExternalHttp;
import dev.nanolith.runtime.placement.Placement;
import dev.nanolith.runtime.resilience.Policies;
import dev.nanolith.runtime.resilience.Resilience;
import dev.nanolith.runtime.security.Callers;
import dev.nanolith.runtime.security.RateLimit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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

    /** The timeout of a function whose config sets none. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Pipeline pipeline;
    private final UnaryOperator<String> settings;
    private final Duration defaultTimeout;
    private final Libraries libraries;
    private final Path precompiled;
    private final boolean ownClasses;
    private final Placement.Rule placement;
    private final boolean secretsRequired;

    /**
     * @param pipeline       the stages and dispatcher every function's calls go through
     * @param settings       environment for {@code ${NAME}} in config and for secrets; null when unset
     * @param defaultTimeout the timeout of a function whose config sets none
     * @param ownClasses     false when the app's classes are on the class path already (its tests run
     *                       in its own build) and must be the ones its revision runs, so that the tests
     *                       and the functions see the same classes
     * @param placement      how finely apps are split into services (processes)
     * @param libraries      where the libraries an app declares come from
     * @param precompiled    for a worker: what the check process compiled of the
     *                       app, written by {@link Compiler.Output#write}, loaded instead of compiling
     *                       again, with the libraries it was compiled against (null: compile)
     * @param secretsRequired whether a declared secret that is not set is a problem: it is for a check (a push
     *                        with an unset secret fails) and in an app's own build; a worker serves on, and only
     *                        the calls that read a secret removed meanwhile fail
     */
    public AppLoader(Pipeline pipeline, UnaryOperator<String> settings, Duration defaultTimeout, boolean ownClasses,
                     Placement.Rule placement, Libraries libraries, Path precompiled, boolean secretsRequired) {
        this.secretsRequired = secretsRequired;
        this.precompiled = precompiled;
        this.placement = placement;
        this.pipeline = pipeline;
        this.settings = settings;
        this.defaultTimeout = defaultTimeout;
        this.libraries = libraries;
        this.ownClasses = ownClasses;
    }

    /**
     * A loader whose functions all run in this process, with their deadlines and nothing else
     * around them: for checking a working directory, and for an app's own build running its tests.
     *
     * @param watchdog   interrupts calls at their deadline; closed by the caller
     * @param settings   environment for {@code ${NAME}} in config and for secrets
     * @param ownClasses as for {@link #AppLoader}; the app's libraries are on the class path too
     */
    public static AppLoader inProcess(Watchdog watchdog, UnaryOperator<String> settings, boolean ownClasses) {
        return new AppLoader(localPipeline(watchdog, "local"), settings, DEFAULT_TIMEOUT, ownClasses, Placement.Rule.of(Placement.Mode.MONOLITH),
                Libraries.ON_CLASS_PATH, null, true);
    }

    /**
     * The pipeline of a process where every function runs locally and nothing is measured (a
     * check, an app's own build): the error handler, caller rules and deadlines.
     *
     * @param process which process this is, for the error handler's breakers
     */
    public static Pipeline localPipeline(Watchdog watchdog, String process) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        return new Pipeline(List.of(new Resilience(registry, process, fn -> true), new Callers(), new Deadlines(watchdog)),
                new LocalDispatcher(), new ExternalHttp(registry, process));
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
        ConfigFile file = config(dir, expected, settings);
        String app = file.config().app();
        String id = ids.apply(app);
        Compiler.Output compiled = precompiled != null ? Compiler.Output.read(precompiled) : compile(dir, file);
        // The app sees what the platform offers and its own libraries, nothing else of the platform's; in its own build, its class path.
        ClassLoader platform = AppLoader.class.getClassLoader();
        URLClassLoader libraryLoader = new URLClassLoader(app + "@" + id + "-libraries", compiled.libraries().stream().map(AppLoader::url)
                .toArray(URL[]::new), ownClasses ? OfferedClasses.loader(app + "@" + id + "-offered", platform) : platform);
        try {
            Revision revision = revision(file, id, compiled, new RevisionClassLoader(app + "@" + id, compiled.classes(), libraryLoader, ownClasses));
            revision.closeWhenRetired(libraryLoader);
            return revision;
        } catch (LoadException | RuntimeException e) {
            try {
                libraryLoader.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** The revision of the compiled app, its classes in {@code loader}: functions found, config checked, every function started. */
    private Revision revision(ConfigFile file, String id, Compiler.Output compiled, ClassLoader loader) throws LoadException {
        String app = file.config().app();
        ObjectMapper mapper = Json.mapper();
        List<Problem> problems = new ArrayList<>();
        Map<String, Class<?>> functions = discover(compiled, loader, mapper.getTypeFactory(), problems);
        problems.addAll(checkConfig(file, functions, mapper.getTypeFactory()));
        problems.addAll(checkCalls(compiled, functions));
        if (!problems.isEmpty()) {
            throw new LoadException(problems);
        }
        Map<String, String> functionOf = new HashMap<>();
        functions.forEach((name, type) -> functionOf.put(type.getName(), name));
        Placement plan = Placement.plan(placement, file.config(), functions.keySet(), compiled.callees(functionOf));
        List<FunctionSpec> specs = new ArrayList<>();
        // The values this process is given: a worker, those of its own functions only.
        Map<String, String> secrets = new HashMap<>();
        for (Map.Entry<String, Class<?>> e : functions.entrySet()) {
            String name = e.getKey();
            Class<?> type = e.getValue();
            Shape shape = Shape.of(type).getFirst();
            JavaType[] io = io(type, mapper.getTypeFactory());
            JavaType input = io[0], output = io[1];
            FunctionConfig fc = file.config().function(name);
            Compiler.SourceClass source = compiled.sources().get(type.getName());
            for (int i = 0; i < fc.secrets().size(); i++) {
                String secret = fc.secrets().get(i);
                String value = settings.apply(secret);
                if (value != null) {
                    secrets.put(secret, value);
                } else if (secretsRequired) {
                    problems.add(new Problem(ConfigFile.NAME, file.line("/functions/" + ConfigFile.escape(name) + "/secrets/" + i),
                            "secret " + secret + " of '" + name + "' is not set — ./nanolith secrets set " + app + " " + secret
                                    + " sets it on the platform (for nanolith test and dev: the environment variable " + secret + ")"));
                }
            }
            specs.add(new FunctionSpec(app, name, fc.description() != null ? fc.description() : source.description(), type,
                    shape, input, output, fc.timeout() != null ? fc.timeout() : defaultTimeout, file.config().configOf(name), fc.secrets(),
                    source.file() + ":" + source.line(), plan.serviceOf().get(name), file.config().accessOf(name),
                    fc.rateLimit() == null ? null : RateLimit.parse(fc.rateLimit()), fc.callers(), Policies.of(file.config(), name),
                    plan.copies().getOrDefault(name, Set.of())));
        }
        if (!problems.isEmpty()) {
            throw new LoadException(problems);
        }
        // Schemas are made when first asked for (GET /fn): most processes, a service's among them, never are.
        SchemaGenerator schemas = schemaGenerator();
        Revision revision = new Revision(app, id, loader, compiled, mapper, specs, fn -> {
            synchronized (schemas) {
                return new Revision.Schemas(schema(schemas, fn.input()), schema(schemas, fn.output()));
            }
        }, pipeline);
        revision.secrets().putAll(secrets);
        return revision;
    }

    /**
     * Reads the {@code nanolith.yaml} of the app in {@code dir}, which must be the app
     * {@code expected} (null: any; a file without {@code app:} is taken to be it).
     *
     * @throws LoadException naming the file's line of every problem
     */
    public static ConfigFile config(Path dir, String expected, UnaryOperator<String> settings) throws LoadException {
        ConfigFile file = ConfigFile.read(dir, expected, settings);
        String app = file.config().app();
        if (expected != null && !app.equals(expected)) {
            throw new LoadException(new Problem(ConfigFile.NAME, file.line("/app"), "app is '" + app
                    + "', but this is the repository of '" + expected + "' — set app: " + expected + " or push to the repository of '" + app + "'"));
        }
        return file;
    }

    /** Compiles the app's sources against its libraries. */
    private Compiler.Output compile(Path dir, ConfigFile file) throws LoadException {
        List<String> jars = resolve(file, libraries);
        return (ownClasses ? Compiler.against(jars) : Compiler.onClassPath()).compile(sources(dir)).withLibraries(jars);
    }

    /**
     * The jars of the libraries the app declares, with what they need in turn, in class path order.
     *
     * @throws LoadException naming the line of each coordinate that does not resolve
     */
    public static List<String> resolve(ConfigFile file, Libraries libraries) throws LoadException {
        List<String> declared = file.config().dependencies();
        Libraries.Resolved resolved = libraries.resolve(declared);
        if (!resolved.failures().isEmpty()) {
            throw new LoadException(resolved.failures().entrySet().stream().map(failure -> {
                int index = declared.indexOf(failure.getKey());
                return new Problem(ConfigFile.NAME, file.line(index < 0 ? "/dependencies" : "/dependencies/" + index), failure.getValue());
            }).toList());
        }
        return resolved.jars().stream().map(Path::toString).toList();
    }

    private static URL url(String jar) {
        try {
            return Path.of(jar).toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("not a path to a jar: " + jar, e);
        }
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

    private static Map<String, Class<?>> discover(Compiler.Output compiled, ClassLoader loader, TypeFactory types, List<Problem> problems) {
        Map<String, Class<?>> functions = new LinkedHashMap<>();
        Map<String, Compiler.SourceClass> where = new HashMap<>();
        for (String className : new TreeMap<>(compiled.sources()).keySet()) {
            Class<?> type;
            try {
                type = Class.forName(className, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                continue;
            }
            List<Shape> shapes = Shape.of(type);
            if (shapes.isEmpty() || type.isInterface() || type.isAnonymousClass() || type.isLocalClass()) {
                continue;
            }
            Compiler.SourceClass source = compiled.sources().get(className);
            if (!Modifier.isPublic(type.getModifiers())) {
                // A helper that is not public is no function; a Nano is meant to be one.
                if (shapes.contains(Shape.NANO)) {
                    problems.add(new Problem(source.file(), source.line(), type.getSimpleName()
                            + " implements Nano but is not public — make it public to deploy it"));
                }
                continue;
            }
            String unfit = unfit(type, shapes, types);
            if (unfit != null) {
                problems.add(new Problem(source.file(), source.line(), type.getSimpleName() + " cannot be deployed as a function: " + unfit));
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
            problems.add(Problem.of(SOURCES, "has no functions — a function is a public class implementing dev.nanolith.Nano,"
                    + " java.util.function.Function, Supplier or Consumer"));
        }
        return functions;
    }

    /** Why a public class that implements a function's interface cannot be one, or null when it can. */
    private static String unfit(Class<?> type, List<Shape> shapes, TypeFactory types) {
        String implemented = shapes.stream().map(s -> s.type().getSimpleName()).collect(Collectors.joining(" and "));
        if (shapes.size() > 1) {
            return "it implements " + implemented + " — a function implements one of them";
        }
        if (type.isEnum() || type.isRecord()) {
            return "it is " + (type.isEnum() ? "an enum" : "a record") + " — a function is a class the platform makes one object of,"
                    + " with a public constructor that takes nothing or a dev.nanolith.Functions";
        }
        if (type.getEnclosingClass() != null && !Modifier.isStatic(type.getModifiers())) {
            return "it is an inner class, which needs an instance of " + type.getEnclosingClass().getSimpleName() + " — make it static";
        }
        if (Modifier.isAbstract(type.getModifiers())) {
            return "it is abstract — make it concrete, or not public if it is a base for functions";
        }
        if (type.getTypeParameters().length > 0) {
            return "it declares type parameters — a function names its types, like " + implemented + example(shapes.getFirst());
        }
        if (types.constructType(type).findSuperType(shapes.getFirst().type()).getBindings().isEmpty()) {
            return "it implements " + implemented + " without type arguments — name its types, like " + implemented + example(shapes.getFirst());
        }
        if (Arrays.stream(type.getConstructors()).noneMatch(c -> c.getParameterCount() == 0
                || Arrays.equals(c.getParameterTypes(), new Class<?>[] {Functions.class}))) {
            return "it has no public constructor without parameters — add one, or one that takes a dev.nanolith.Functions to call other functions";
        }
        return null;
    }

    private static String example(Shape shape) {
        return shape.hasInput() && shape.hasOutput() ? "<Order, Receipt>" : shape.hasInput() ? "<Order>" : "<Receipt>";
    }

    /** What a function of class {@code type} takes and returns: {@code Void} for what its shape has not. */
    private static JavaType[] io(Class<?> type, TypeFactory types) {
        Shape shape = Shape.of(type).getFirst();
        JavaType[] parameters = types.constructType(type).findTypeParameters(shape.type());
        JavaType none = types.constructType(Void.class);
        return new JavaType[] {shape.hasInput() ? parameters[0] : none, shape == Shape.SUPPLIER ? parameters[0] : shape.hasOutput() ? parameters[1] : none};
    }

    /** Why {@code fallback} (null: none) cannot stand in for {@code function}, at the line of {@code pointer}; null when it can. */
    private static Problem fallbackProblem(ConfigFile file, Map<String, Class<?>> functions, TypeFactory types, String function, String fallback,
                                           String pointer) {
        if (fallback == null || !functions.containsKey(function)) {
            return null;
        }
        String known = " — its functions are " + String.join(", ", functions.keySet());
        if (!functions.containsKey(fallback)) {
            return new Problem(ConfigFile.NAME, file.line(pointer), "fallback '" + fallback + "' is not a function of this app" + known);
        }
        if (fallback.equals(function)) {
            return new Problem(ConfigFile.NAME, file.line(pointer), "'" + function + "' cannot be its own fallback — name another function");
        }
        JavaType[] own = io(functions.get(function), types), other = io(functions.get(fallback), types);
        if (!own[0].equals(other[0]) || !own[1].equals(other[1])) {
            return new Problem(ConfigFile.NAME, file.line(pointer), "fallback '" + fallback + "' takes " + other[0].toCanonical() + " and returns "
                    + other[1].toCanonical() + ", but '" + function + "' takes " + own[0].toCanonical() + " and returns " + own[1].toCanonical()
                    + " — a fallback takes and returns what the function it stands in for does");
        }
        return null;
    }

    /** What a team's name ({@code owner:}) may be: as a service's. */
    private static final String OWNER = "[a-z][a-z0-9-]{0,62}";

    private static List<Problem> checkConfig(ConfigFile file, Map<String, Class<?>> functions, TypeFactory types) {
        List<Problem> problems = new ArrayList<>();
        Map<String, String> placedIn = new HashMap<>();
        file.config().services().forEach((service, config) -> {
            String at = "/services/" + ConfigFile.escape(service);
            if (!service.matches("[a-z][a-z0-9-]*")) {
                problems.add(new Problem(ConfigFile.NAME, file.line(at), "service name '" + service
                        + "' is not valid — use lower-case letters, digits and dashes, starting with a letter"));
            }
            if (config.memory() != null && !config.memory().matches(ServiceConfig.MEMORY)) {
                problems.add(new Problem(ConfigFile.NAME, file.line(at + "/memory"), "services." + service + ": memory '" + config.memory()
                        + "' is not a size — write megabytes or gigabytes, like 128m or 1g"));
            } else if (config.memory() != null && config.memoryBytes() < (long) ServiceConfig.MINIMUM_MEGABYTES << 20) {
                problems.add(new Problem(ConfigFile.NAME, file.line(at + "/memory"), "services." + service + ": memory '" + config.memory()
                        + "' is too small for a worker — give at least " + ServiceConfig.MINIMUM_MEGABYTES + "m"));
            }
            if (config.owner() != null && !config.owner().matches(OWNER)) {
                problems.add(new Problem(ConfigFile.NAME, file.line(at + "/owner"), "services." + service + ": owner '" + config.owner()
                        + "' is not a team's name — use lower-case letters, digits and dashes, starting with a letter"));
            }
            if (config.scale() != null && !config.scale().equals(ServiceConfig.INDEPENDENT)) {
                problems.add(new Problem(ConfigFile.NAME, file.line(at + "/scale"), "services." + service + ": scale '" + config.scale()
                        + "' is not known — write scale: " + ServiceConfig.INDEPENDENT + ", or leave it out"));
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
        file.config().functions().forEach((name, config) -> {
            String at = "/functions/" + ConfigFile.escape(name);
            if (config.library() && config.isolated()) {
                problems.add(new Problem(ConfigFile.NAME, file.line(at + "/library"), "functions." + name + ": a library function runs with"
                        + " each caller, so it cannot also be isolated — keep one of library: true and isolated: true"));
            }
            if (config.owner() != null && !config.owner().matches(OWNER)) {
                problems.add(new Problem(ConfigFile.NAME, file.line(at + "/owner"), "functions." + name + ": owner '" + config.owner()
                        + "' is not a team's name — use lower-case letters, digits and dashes, starting with a letter"));
            }
            Optional.ofNullable(fallbackProblem(file, functions, types, name, config.fallback(), at + "/fallback")).ifPresent(problems::add);
            config.calls().forEach((callee, edge) -> {
                if (!functions.containsKey(callee)) {
                    problems.add(new Problem(ConfigFile.NAME, file.line(at + "/calls/" + ConfigFile.escape(callee)), "functions." + name
                            + ".calls: '" + callee + "' is not a function of this app — its functions are " + String.join(", ", functions.keySet())));
                } else {
                    Optional.ofNullable(fallbackProblem(file, functions, types, callee, edge.fallback(),
                            at + "/calls/" + ConfigFile.escape(callee) + "/fallback")).ifPresent(problems::add);
                }
            });
            for (int i = 0; i < config.callers().size(); i++) {
                String glob = config.callers().get(i);
                if (functions.keySet().stream().noneMatch(f -> Placement.matches(glob, f))) {
                    problems.add(new Problem(ConfigFile.NAME, file.line("/functions/" + ConfigFile.escape(name) + "/callers/" + i),
                            "functions." + name + ".callers: '" + glob + "' matches no function — its functions are "
                                    + String.join(", ", functions.keySet())));
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
        Set<String> classes = functions.values().stream().map(Class::getName).collect(Collectors.toSet());
        String known = " — its functions are " + String.join(", ", functions.keySet());
        List<Problem> problems = new ArrayList<>();
        for (Compiler.CallSite call : compiled.calls()) {
            if (call.calleeName() != null && !functions.containsKey(call.calleeName())) {
                problems.add(new Problem(call.file(), call.line(), "calls '" + call.calleeName() + "', which is not a function of this app" + known));
            }
            if (call.calleeClass() != null && !classes.contains(call.calleeClass())) {
                String simple = call.calleeClass().substring(call.calleeClass().lastIndexOf('.') + 1).replace('$', '.');
                problems.add(new Problem(call.file(), call.line(), "calls " + simple + ", which is not a function of this app"
                        + (compiled.sources().containsKey(call.calleeClass()) ? " — a function is a public, concrete class" : known)));
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

    /** The JSON schema of {@code type}, or null for {@code Void}: no input, or no output. */
    private static com.fasterxml.jackson.databind.JsonNode schema(SchemaGenerator generator, JavaType type) {
        if (type.getRawClass() == Void.class) {
            return null;
        }
        if (type.getRawClass() == Optional.class && type.containedTypeCount() == 1) {
            return schema(generator, type.containedType(0));
        }
        Type[] params = type.getBindings().getTypeParameters().stream().map(JavaType::getRawClass).toArray(Type[]::new);
        return generator.generateSchema(type.getRawClass(), params);
    }
}
