package dev.nanolith.runtime.placement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanolith.runtime.Shape;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.load.Problem;
import dev.nanolith.runtime.security.Access;
import dev.nanolith.runtime.security.RateLimit;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the control plane knows of a revision's functions, written by the process that checked
 * the revision: enough to route, list and describe them without loading a class of the app.
 *
 * @param app       the app
 * @param functions its functions, in the order they were found
 */
public record Manifest(String app, List<Function> functions) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Manifest {
        functions = List.copyOf(functions);
    }

    /**
     * One function as its worker serves it.
     *
     * @param name          its name, unique on the platform
     * @param service       the service (worker process) it is placed in
     * @param description   one sentence for people
     * @param shape         which interface its class implements: whether it takes an input and returns an output
     * @param timeoutMillis how long one call may take, in milliseconds
     * @param config        its settings, for telling whether it changed between revisions
     * @param source        where its class is declared, as {@code file:line}
     * @param input         the JSON schema of its input; null when it takes none
     * @param output        the JSON schema of its output; null when it returns nothing
     * @param access        who may call it through the gateway
     * @param rateLimit     how many calls each caller may make through the gateway; null: no limit
     * @param calls         the functions its source calls by name or class: its edges in the app's static call graph
     * @param code          its class's code with identifiers and literals abstracted ({@code Compiler.SourceClass#shape}),
     *                      for finding the same logic under other names
     * @param copies        for a library function, the other services that run a copy of it
     */
    public record Function(String name, String service, String description, Shape shape, long timeoutMillis, Map<String, String> config,
                           String source, JsonNode input, JsonNode output, Access access, RateLimit rateLimit, List<String> calls,
                           String code, java.util.Set<String> copies) {

        public Function {
            config = Map.copyOf(config);
            calls = calls == null ? List.of() : List.copyOf(calls);
            code = code == null ? "" : code;
            copies = copies == null ? java.util.Set.of() : java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(copies));
            // JSON's null reads back as a null node: no schema is null, as written.
            input = input == null || input.isNull() ? null : input;
            output = output == null || output.isNull() ? null : output;
        }

        public Duration timeout() {
            return Duration.ofMillis(timeoutMillis);
        }
    }

    /** Keeps this manifest in {@code file}, for the control plane to read. */
    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    /** A manifest kept by {@link #write}. */
    public static Manifest read(Path file) throws LoadException {
        try {
            return JSON.readValue(file.toFile(), Manifest.class);
        } catch (IOException e) {
            throw new LoadException(Problem.of("platform", "the manifest of the checked app in " + file + " cannot be read: " + e.getMessage()));
        }
    }
}
