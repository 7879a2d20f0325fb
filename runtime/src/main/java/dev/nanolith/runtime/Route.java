package dev.nanolith.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.nanolith.BadInputException;
import dev.nanolith.DeadlineExceededException;
import dev.nanolith.NanoException;
import java.io.IOException;
import java.util.function.Function;
import java.util.stream.Collectors;

/** A function of one revision, ready to be called: its spec, its composed pipeline, its JSON codec. */
public final class Route {

    /** A deadline far enough away for the function's own timeout to be the earlier one. */
    static final long NO_DEADLINE = Long.MAX_VALUE / 4;

    private final FunctionSpec spec;
    private final Revision revision;
    private final Invoker invoker;
    private final ObjectReader reader;
    private final ObjectWriter writer;
    private final Function<FunctionSpec, Revision.Schemas> schemaOf;
    private Revision.Schemas schemas;
    private final System.Logger log;

    Route(FunctionSpec spec, Revision revision, Invoker invoker, Function<FunctionSpec, Revision.Schemas> schemaOf) {
        this.spec = spec;
        this.revision = revision;
        this.invoker = invoker;
        this.reader = revision.mapper().readerFor(spec.input());
        this.writer = revision.mapper().writerFor(spec.output());
        this.schemaOf = schemaOf;
        this.log = System.getLogger("fn." + spec.name());
    }

    public FunctionSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public Revision revision() {
        return revision;
    }

    public JsonNode inputSchema() {
        return schemas().input();
    }

    public JsonNode outputSchema() {
        return schemas().output();
    }

    private synchronized Revision.Schemas schemas() {
        if (schemas == null) {
            schemas = schemaOf.apply(spec);
        }
        return schemas;
    }

    System.Logger log() {
        return log;
    }

    /**
     * Calls the function as an operation's entry, on this thread: its own timeout starts now.
     * At the deadline the thread is interrupted and the call ends with
     * {@link DeadlineExceededException}; a function that ignores interruption ends it late.
     */
    public Object callEntry(Object input, String principal) {
        return callEntry(input, principal, Trace.next());
    }

    /** Calls the function as the entry of an operation of {@code trace}, as {@link #callEntry(Object, String)} does. */
    public Object callEntry(Object input, String principal, Trace trace) {
        revision.enter();
        try {
            return invoke(input, principal, null, System.nanoTime() + NO_DEADLINE, trace);
        } finally {
            revision.exit();
        }
    }

    /**
     * Calls the function on this thread for a call that came from another process: its caller,
     * principal, deadline and trace come with it.
     */
    public Object callFrom(Object input, String principal, String from, long deadline, Trace trace) {
        revision.enter();
        try {
            return invoke(input, principal, from, deadline, trace);
        } finally {
            revision.exit();
        }
    }

    /** Calls the function on this thread, within the caller's deadline. */
    Object invoke(Object input, String principal, String from, long deadline, Trace trace) {
        return invoker.invoke(input, new Call(this, principal, from, deadline, trace));
    }

    /** Reads a JSON body as this function's input; a mismatch names the field. */
    public Object readInput(byte[] json) {
        if (json.length == 0) {
            if (spec.input().getRawClass() == Void.class) {
                return null;
            }
            throw new BadInputException(spec.name(), "the body is empty — send the input as JSON (GET /fn shows its schema)", null);
        }
        try {
            return reader.readValue(json);
        } catch (JsonMappingException e) {
            throw badInput(e);
        } catch (JsonProcessingException e) {
            throw new BadInputException(spec.name(), "malformed JSON"
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr())
                    + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new BadInputException(spec.name(), "unreadable input: " + e.getMessage(), e);
        }
    }

    /** Writes an input of this function as JSON, to carry it to another process. */
    public byte[] writeInput(Object input) {
        try {
            return revision.mapper().writerFor(spec.input()).writeValueAsBytes(input);
        } catch (JsonProcessingException e) {
            throw new BadInputException(spec.name(), "the input cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads this function's output from the JSON another process answered with. */
    public Object readOutput(byte[] json) {
        try {
            return revision.mapper().readerFor(spec.output()).readValue(json);
        } catch (IOException e) {
            throw new IllegalStateException("the output of '" + spec.name() + "' cannot be read: " + e.getMessage(), e);
        }
    }

    /** Converts a value of another type (a map, another record) to this function's input type. */
    Object convertInput(Object input) {
        if (input == null || spec.input().getRawClass().isInstance(input)) {
            return input;
        }
        try {
            return revision.mapper().convertValue(input, spec.input());
        } catch (IllegalArgumentException e) {
            throw e.getCause() instanceof JsonMappingException m ? badInput(m)
                    : new BadInputException(spec.name(), e.getMessage(), e);
        }
    }

    /** Writes this function's output as JSON. */
    public byte[] writeOutput(Object output) {
        try {
            return writer.writeValueAsBytes(output);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the output of '" + spec.name() + "' cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private NanoException badInput(JsonMappingException e) {
        String field = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        String what = field.isEmpty() ? "the input" : "field '" + field + "'";
        String original = e.getOriginalMessage().lines().findFirst().orElse("");
        String message;
        if (e instanceof UnrecognizedPropertyException u) {
            message = what + " is not part of the input — known fields: " + u.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", "));
        } else if (original.startsWith("Missing required creator property")) {
            message = what + " is missing";
        } else if (original.startsWith("Null value for creator property")) {
            message = what + " must not be null";
        } else if (original.contains(", problem: ")) {
            message = what + ": " + original.substring(original.indexOf(", problem: ") + 11);
        } else {
            message = what + ": " + original.replaceAll(" \\((class|token) [^)]*\\)", "")
                    .replaceAll("`(?:[a-zA-Z0-9_.]+[.$])?([A-Za-z0-9_]+)`", "$1").replaceAll("; .*$", "");
        }
        return new BadInputException(spec.name(), message, e);
    }

    @Override
    public String toString() {
        return spec.name() + "@" + revision.id();
    }
}
