package dev.nanolith.runtime.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.load.Problem;
import dev.nanolith.runtime.resilience.Failure;
import dev.nanolith.runtime.resilience.Policy;
import dev.nanolith.runtime.security.Access;
import dev.nanolith.runtime.security.RateLimit;
import java.io.IOException;
import java.lang.invoke.MethodType;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A parsed {@code nanolith.yaml} that still knows the line of every key, so that a problem
 * found at any later step points at the line to fix.
 */
public final class ConfigFile {

    /** The file's name, as problems show it. */
    public static final String NAME = "nanolith.yaml";

    /** groupId:artifactId[:extension[:classifier]]:version, as Maven Resolver reads coordinates. */
    private static final Pattern COORDINATE = Pattern.compile("[\\w.-]+:[\\w.-]+(:[\\w.-]+){1,3}");
    /** Where keys take settings: the origins under a function's {@code hosts:}. */
    private static final Pattern HOSTS = Pattern.compile("/functions/[^/]+/hosts");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.]*)(?::-([^}]*))?}");
    private static final ObjectMapper BINDER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // secrets: TOKEN is read as secrets: [TOKEN], as YAML writers expect.
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);

    private final AppConfig config;
    private final Map<String, Integer> lines;

    private ConfigFile(AppConfig config, Map<String, Integer> lines) {
        this.config = config;
        this.lines = lines;
    }

    /**
     * Reads an app's {@code nanolith.yaml}, resolving {@code ${NAME}} and
     * {@code ${NAME:-default}} in values, and in the origins under {@code hosts:}, from {@code settings}.
     */
    public static ConfigFile read(Path dir, UnaryOperator<String> settings) throws LoadException {
        return read(dir, null, settings);
    }

    /** Reads an app's {@code nanolith.yaml}; an absent {@code app:} is {@code defaultApp}, or the directory's name. */
    public static ConfigFile read(Path dir, String defaultApp, UnaryOperator<String> settings) throws LoadException {
        String text;
        try {
            text = Files.readString(dir.resolve(NAME));
        } catch (NoSuchFileException e) {
            throw new LoadException(Problem.of(NAME, "missing — an app needs a nanolith.yaml at its root (it may be empty)"));
        } catch (IOException e) {
            throw new LoadException(Problem.of(NAME, "cannot be read: " + e.getMessage()));
        }
        Map<String, Integer> lines = new HashMap<>();
        List<Problem> problems = new ArrayList<>();
        JsonNode tree;
        try (YAMLParser p = (YAMLParser) new YAMLFactory().createParser(text)) {
            JsonToken first = p.nextToken();
            tree = first == null ? JsonNodeFactory.instance.objectNode() : new TreeReader(p, lines, settings, problems).node("");
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
                throw new LoadException(new Problem(NAME, yaml.getProblemMark().getLine() + 1, "not valid YAML: " + yaml.getProblem()));
            }
            throw new LoadException(new Problem(NAME, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse("")));
        } catch (IOException e) {
            throw new LoadException(Problem.of(NAME, "cannot be read: " + e.getMessage()));
        }
        if (!problems.isEmpty()) {
            throw new LoadException(problems);
        }
        if (!tree.isObject()) {
            throw new LoadException(new Problem(NAME, 1, "must be a map of keys (app, functions), not " + tree.getNodeType().name().toLowerCase()));
        }
        ObjectNode root = (ObjectNode) tree;
        if (!root.hasNonNull("app")) {
            root.put("app", defaultApp != null ? defaultApp : dir.toAbsolutePath().normalize().getFileName().toString());
        }
        try {
            return new ConfigFile(BINDER.treeToValue(root, AppConfig.class), lines).validated();
        } catch (JsonMappingException e) {
            throw new LoadException(new Problem(NAME, lineOf(lines, pointer(e.getPath())), explain(e.getPath(), e)));
        } catch (JsonProcessingException e) {
            throw new LoadException(Problem.of(NAME, e.getOriginalMessage()));
        }
    }

    /** The configuration read. */
    public AppConfig config() {
        return config;
    }

    /** The line of the key at a JSON pointer such as {@code /functions/shop.charge}, or of its nearest parent. */
    public int line(String pointer) {
        return lineOf(lines, pointer);
    }

    /** The line of a function's entry, or 0 when the file does not mention it. */
    public int functionLine(String function) {
        return lines.getOrDefault("/functions/" + escape(function), 0);
    }

    /** Escapes one key for use in a JSON pointer. */
    public static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private ConfigFile validated() throws LoadException {
        List<Problem> problems = new ArrayList<>();
        if (!AppConfig.APP_NAME.matcher(config.app()).matches()) {
            problems.add(new Problem(NAME, line("/app"), "app name '" + config.app()
                    + "' is not valid — use lower-case letters, digits and dashes, starting with a letter, at most 63"));
        }
        for (int i = 0; i < config.dependencies().size(); i++) {
            String coordinate = config.dependencies().get(i);
            if (!COORDINATE.matcher(coordinate).matches()) {
                problems.add(new Problem(NAME, line("/dependencies/" + i), "dependency '" + coordinate
                        + "' is not a Maven coordinate — write groupId:artifactId:version, like com.h2database:h2:2.5.252"));
            }
        }
        accessProblem(config.access(), "/access").ifPresent(problems::add);
        config.functions().forEach((name, fn) -> {
            accessProblem(fn.access(), "/functions/" + escape(name) + "/access").ifPresent(problems::add);
            if (fn.rateLimit() != null) {
                try {
                    RateLimit.parse(fn.rateLimit());
                } catch (IllegalArgumentException e) {
                    problems.add(new Problem(NAME, line("/functions/" + escape(name) + "/rate-limit"), e.getMessage()));
                }
            }
            for (int i = 0; i < fn.secrets().size(); i++) {
                String secret = fn.secrets().get(i);
                if (!FunctionConfig.SECRET_NAME.matcher(secret).matches()) {
                    problems.add(new Problem(NAME, line("/functions/" + escape(name) + "/secrets/" + i), FunctionConfig.notASecretName(secret)));
                } else if (fn.secrets().indexOf(secret) < i) {
                    problems.add(new Problem(NAME, line("/functions/" + escape(name) + "/secrets/" + i), "secret " + secret
                            + " is listed twice — list it once"));
                }
            }
            String at = "/functions/" + escape(name);
            policyProblems(at, name, fn.idempotent(), fn.retry(), fn.circuitBreaker(), problems);
            if (fn.concurrency() != null && fn.concurrency() < 1) {
                problems.add(new Problem(NAME, line(at + "/concurrency"), "concurrency must be 1 or more — it is how many calls of '"
                        + name + "' may run at once"));
            }
            fn.calls().forEach((callee, edge) -> policyProblems(at + "/calls/" + escape(callee), callee, config.function(callee).idempotent(),
                    edge.retry(), edge.circuitBreaker(), problems));
            Map<String, String> origins = new HashMap<>();
            fn.hosts().forEach((key, host) -> {
                String pointer = at + "/hosts/" + escape(key);
                try {
                    String earlier = origins.put(HostConfig.origin(key), key);
                    if (earlier != null) {
                        problems.add(new Problem(NAME, line(pointer), "'" + key + "' is the origin of '" + earlier + "' too — give each host once"));
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(new Problem(NAME, line(pointer), e.getMessage()));
                }
                // Each request to a host tells whether it is idempotent: unknown-outcome may be retried for those that are.
                policyProblems(pointer, key, true, host.retry(), host.circuitBreaker(), problems);
            });
        });
        if (!problems.isEmpty()) {
            // In the file's order: the functions' entries are read into a map that keeps none.
            problems.sort(Comparator.comparingInt(Problem::line));
            throw new LoadException(problems);
        }
        return this;
    }

    /**
     * What is wrong with the policies at {@code pointer} for calls of {@code callee}, each at its line.
     *
     * @param idempotent whether the callee's unknown outcomes may be retried
     */
    private void policyProblems(String pointer, String callee, boolean idempotent, RetryConfig retry, CircuitBreakerConfig breaker,
                                List<Problem> problems) {
        if (retry != null) {
            String at = pointer + "/retry";
            if (retry.attempts() != null && retry.attempts() < 1) {
                problems.add(new Problem(NAME, line(at + "/attempts"), "attempts must be 1 or more — 1 makes a call once, never again"));
            }
            if (share(at + "/jitter", retry.jitter(), problems) >= 1) {
                problems.add(new Problem(NAME, line(at + "/jitter"), "jitter must be below 100% — a wait of 100ms with jitter 50% is drawn"
                        + " from 50ms to 150ms"));
            }
            share(at + "/budget", retry.budget(), problems);
            for (String word : retry.on() == null ? List.<String>of() : retry.on()) {
                try {
                    if (Policy.retried(word) == Failure.UNKNOWN_OUTCOME && !idempotent) {
                        problems.add(new Problem(NAME, line(at + "/on"), "'" + callee + "' is not idempotent: a call whose outcome is unknown"
                                + " may have acted, and must not be made again — declare functions." + callee + ".idempotent: true if calling"
                                + " it twice does no harm, or retry only transient failures"));
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(new Problem(NAME, line(at + "/on"), e.getMessage()));
                }
            }
        }
        if (breaker != null) {
            String at = pointer + "/circuit-breaker";
            if (breaker.failureRate() != null && share(at + "/failure-rate", breaker.failureRate(), problems) == 0 && problems.stream()
                    .noneMatch(p -> p.line() == line(at + "/failure-rate"))) {
                problems.add(new Problem(NAME, line(at + "/failure-rate"), "failure-rate must be above 0% — it is the share of failed calls"
                        + " that opens the breaker, such as 50%"));
            }
            if (breaker.window() != null && breaker.window() < 1) {
                problems.add(new Problem(NAME, line(at + "/window"), "window must be 1 or more — it is how many of the last calls count"));
            }
            if (breaker.minCalls() != null && breaker.minCalls() < 1) {
                problems.add(new Problem(NAME, line(at + "/min-calls"), "min-calls must be 1 or more — it is how many calls must have"
                        + " been made before the failure rate counts"));
            }
        }
    }

    /** The share {@code text} gives (0 when there is none); one that is not valid is a problem at its line. */
    private double share(String pointer, String text, List<Problem> problems) {
        if (text != null) {
            try {
                return Policy.share(text);
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(NAME, line(pointer), e.getMessage()));
            }
        }
        return 0;
    }

    private Optional<Problem> accessProblem(String access, String pointer) {
        return access == null || Access.of(access) != null ? Optional.empty()
                : Optional.of(new Problem(NAME, line(pointer), "unknown access '" + access + "' — use " + Access.words()));
    }

    /** Builds the tree token by token, recording lines, resolving settings, anchors, aliases and merge keys. */
    private static final class TreeReader {
        private final YAMLParser p;
        private final Map<String, Integer> lines;
        private final UnaryOperator<String> settings;
        private final List<Problem> problems;
        private final Map<String, JsonNode> anchors = new HashMap<>();

        TreeReader(YAMLParser p, Map<String, Integer> lines, UnaryOperator<String> settings, List<Problem> problems) {
            this.p = p;
            this.lines = lines;
            this.settings = settings;
            this.problems = problems;
        }

        JsonNode node(String pointer) throws IOException {
            int line = p.currentTokenLocation().getLineNr();
            if (p.isCurrentAlias()) {
                JsonNode target = anchors.get(p.getText());
                if (target == null) {
                    problems.add(new Problem(NAME, line, "alias *" + p.getText() + " has no anchor &" + p.getText() + " before it"));
                    return JsonNodeFactory.instance.nullNode();
                }
                return target.deepCopy();
            }
            String anchor = p.getCurrentAnchor();
            JsonNode node = switch (p.currentToken()) {
                case START_OBJECT -> object(pointer);
                case START_ARRAY -> array(pointer);
                case VALUE_NULL -> JsonNodeFactory.instance.nullNode();
                // YAML scalars are text; binding coerces them to numbers and booleans where a key needs one.
                default -> JsonNodeFactory.instance.textNode(resolve(p.getText(), line, settings, problems));
            };
            if (anchor != null) {
                anchors.put(anchor, node);
            }
            return node;
        }

        private ObjectNode object(String pointer) throws IOException {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            List<JsonNode> merges = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                int line = p.currentTokenLocation().getLineNr();
                // A host's origin under hosts: is a key that is often a setting.
                String key = HOSTS.matcher(pointer).matches() ? resolve(p.currentName(), line, settings, problems) : p.currentName();
                String child = pointer + "/" + escape(key);
                p.nextToken();
                if (key.equals("<<")) {
                    JsonNode merged = node(child);
                    (merged.isArray() ? merged : JsonNodeFactory.instance.arrayNode().add(merged)).forEach(merges::add);
                    continue;
                }
                if (node.has(key)) {
                    problems.add(new Problem(NAME, line, "key '" + key + "' appears twice (first on line " + lines.get(child) + ")"));
                }
                lines.putIfAbsent(child, line);
                node.set(key, node(child));
            }
            for (JsonNode merged : merges) {
                merged.properties().forEach(e -> {
                    if (!node.has(e.getKey())) {
                        node.set(e.getKey(), e.getValue().deepCopy());
                    }
                });
            }
            return node;
        }

        private ArrayNode array(String pointer) throws IOException {
            ArrayNode node = JsonNodeFactory.instance.arrayNode();
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String child = pointer + "/" + i++;
                lines.put(child, p.currentTokenLocation().getLineNr());
                node.add(node(child));
            }
            return node;
        }
    }

    private static String resolve(String value, int line, UnaryOperator<String> settings, List<Problem> problems) {
        Matcher m = PLACEHOLDER.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String found = settings.apply(m.group(1));
            if (found == null) {
                found = m.group(2);
            }
            if (found == null) {
                problems.add(new Problem(NAME, line, "${" + m.group(1) + "} is not set — set the environment variable "
                        + m.group(1) + " or give a default: ${" + m.group(1) + ":-value}"));
                found = "";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(found));
        }
        return m.appendTail(out).toString();
    }

    private static String explain(List<JsonMappingException.Reference> path, JsonMappingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            String known = new TreeSet<>(u.getKnownPropertyIds().stream().map(String::valueOf).toList()).stream()
                    .collect(Collectors.joining(", "));
            String parent = dotted(path.subList(0, path.size() - 1));
            return "unknown key '" + u.getPropertyName() + "'" + (parent.isEmpty() ? "" : " in " + parent) + " — use " + known;
        }
        String where = path.isEmpty() ? "" : dotted(path) + ": ";
        if (e instanceof InvalidFormatException f && f.getTargetType() == Duration.class) {
            return where + f.getOriginalMessage();
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            String expected = expected(MethodType.methodType(m.getTargetType()).wrap().returnType());
            if (expected != null) {
                return where + "must be " + expected + ", not " + found(m);
            }
        }
        return where + e.getOriginalMessage().lines().findFirst().orElse("invalid value");
    }

    /** The value {@code e} could not read, as a user would name it: {@code a list}, {@code a map}, {@code '5'}. */
    private static String found(MismatchedInputException e) {
        if (e instanceof InvalidFormatException f && f.getValue() != null) {
            return "'" + f.getValue() + "'";
        }
        if (e.getProcessor() instanceof JsonParser p && p.currentToken() != null) {
            try {
                return switch (p.currentToken()) {
                    case START_ARRAY -> "a list";
                    case START_OBJECT -> "a map";
                    default -> "'" + p.getText() + "'";
                };
            } catch (IOException unreadable) {
                // told below
            }
        }
        return "that";
    }

    /** What a value of {@code type} is written as in {@code nanolith.yaml}; null for a type no setting has. */
    private static String expected(Class<?> type) {
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == Long.class) {
            return "a whole number";
        }
        if (type == Double.class) {
            return "a number";
        }
        if (type == ServiceConfig.class) {
            return "a list of functions, or a map (key: value lines)";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a map (key: value lines)";
        }
        return Collection.class.isAssignableFrom(type) ? "a list" : null;
    }

    private static String dotted(List<JsonMappingException.Reference> path) {
        return path.stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String pointer(List<JsonMappingException.Reference> path) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : path) {
            sb.append('/').append(r.getFieldName() != null ? escape(r.getFieldName()) : String.valueOf(r.getIndex()));
        }
        return sb.toString();
    }

    private static int lineOf(Map<String, Integer> lines, String pointer) {
        for (String p = pointer; ; p = p.substring(0, p.lastIndexOf('/'))) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            if (p.isEmpty()) {
                return 0;
            }
        }
    }
}
