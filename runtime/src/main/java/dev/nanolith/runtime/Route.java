package dev.nanolith.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.nanolith.BadInputException;
import dev.nanolith.DeadlineExceededException;
import java.io.IOException;
import java.util.function.Function;

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
            return invoke(input, null, principal, null, System.nanoTime() + NO_DEADLINE, trace, false);
        } finally {
            revision.exit();
        }
    }

    /**
     * A call of this function that came from another process, whose caller, principal, deadline
     * and trace came with it in a request of {@code bytesIn} bytes: {@link #callFrom} runs it.
     */
    public Call carried(String principal, String from, long deadline, Trace trace, int bytesIn) {
        Call call = new Call(this, null, principal, from, deadline, trace, true, false);
        call.transferred(-1, bytesIn);
        return call;
    }

    /** Runs a {@link #carried} call on this thread. */
    public Object callFrom(Object input, Call carried) {
        revision.enter();
        try {
            return invoker.invoke(input, carried);
        } finally {
            revision.exit();
        }
    }

    /**
     * Calls the function on this thread, within the caller's deadline, for {@code parent} (null
     * for an entry); {@code standIn}: as another's fallback.
     */
    Object invoke(Object input, Call parent, String principal, String from, long deadline, Trace trace, boolean standIn) {
        return invoker.invoke(input, new Call(this, parent, principal, from, deadline, trace, false, standIn));
    }

    /**
     * Reads a JSON body as this function's input. A function without input takes an empty body,
     * {@code {}} or {@code null}.
     *
     * @throws MalformedJsonException when the body is not JSON; the message gives the line, the
     *                                column and what was expected
     * @throws BadInputException      when it does not fit the input type; the message names the
     *                                fields and what is wrong with each
     */
    public Object readInput(byte[] json) {
        if (spec.input().getRawClass() == Void.class) {
            return noInput(json);
        }
        if (json.length == 0) {
            throw new BadInputException(spec.name(), "the body is empty — send the input as JSON (GET /fn shows its schema)", null);
        }
        Object input = read(json);
        if (input == null) {
            throw new BadInputException(spec.name(), "the input is null — send the input as JSON (GET /fn shows its schema)", null);
        }
        return input;
    }

    /**
     * Reads an input that another process of the platform carried, as the caller's process wrote
     * it (see {@link Json#carrier}): a null, which a local call may pass, stays null.
     */
    public Object readCarried(byte[] json) {
        if (spec.input().getRawClass() == Void.class) {
            return null;
        }
        try {
            return revision.carrier().readerFor(spec.input()).readValue(json);
        } catch (IOException e) {
            throw new IllegalStateException("the input of '" + spec.name() + "' cannot be read as it was carried: " + e.getMessage(), e);
        }
    }

    private Object read(byte[] json) {
        try {
            return reader.readValue(json);
        } catch (JsonMappingException e) {
            JsonNode tree = readTree(json);
            if (tree == null) {
                throw malformed(json, e);
            }
            throw badInput(tree, e);
        } catch (IOException e) {
            throw malformed(json, e);
        }
    }

    private Object noInput(byte[] json) {
        if (json.length == 0) {
            return null;
        }
        JsonNode body;
        try {
            body = revision.mapper().readTree(json);
        } catch (IOException e) {
            throw malformed(json, e);
        }
        if (body == null || body.isMissingNode() || body.isNull() || (body.isObject() && body.isEmpty())) {
            return null;
        }
        throw new BadInputException(spec.name(), "'" + spec.name() + "' takes no input — send no body, or {}", null);
    }

    /** A body Jackson could not read as JSON, described in the user's terms when the grammar shows where it goes wrong. */
    private static MalformedJsonException malformed(byte[] json, IOException e) {
        String explained = JsonSyntax.explain(json);
        if (explained != null) {
            return new MalformedJsonException(explained, e);
        }
        String at = e instanceof JsonProcessingException p && p.getLocation() != null
                ? " at line " + p.getLocation().getLineNr() + ", column " + p.getLocation().getColumnNr() : "";
        return new MalformedJsonException("malformed JSON" + at + " — send one JSON value, as GET /fn describes the input", e);
    }

    /** The body as a tree, or null when it is not JSON (a mapping error can come before the syntax error). */
    private JsonNode readTree(byte[] json) {
        try {
            return revision.mapper().readTree(json);
        } catch (IOException e) {
            return null;
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
            return revision.carrier().readerFor(spec.output()).readValue(json);
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
            throw e.getCause() instanceof JsonMappingException m ? badInput(revision.mapper().valueToTree(input), m)
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

    private BadInputException badInput(JsonNode input, JsonMappingException e) {
        return new BadInputException(spec.name(), BadInput.explain(revision.mapper(), spec.input(), input, e), e);
    }

    @Override
    public String toString() {
        return spec.name() + "@" + revision.id();
    }
}
