package dev.nanolith.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanolith.runtime.Json;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/** How the platform's own endpoints read a request: the query parameters they know, a JSON object with the fields they know. */
public final class Requests {

    /** The most bytes of a body read as JSON. */
    public static final int MAX_BODY = 64 * 1024;

    // One JSON value a body, each field once, as the gateway reads a function's: what follows it, or a field given twice, is refused.
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /**
     * A request an endpoint does not take: answered with {@code status} and {@code error}, as
     * {@link Responses#error} writes it. An {@link IllegalArgumentException}, so that a page that
     * shows a bad argument's message (the dashboard's) shows this one too.
     */
    public static final class Refused extends IllegalArgumentException {
        private final Status status;
        private final String error;

        Refused(Status status, String error, String message, Throwable cause) {
            super(message, cause);
            this.status = status;
            this.error = error;
        }

        public Status status() {
            return status;
        }

        /** The stable code of the error's body: {@code bad-request}, {@code malformed-json}, {@code payload-too-large}. */
        public String error() {
            return error;
        }
    }

    private Requests() {
    }

    /**
     * Refuses a query parameter that is not one of {@code names}: a misspelt one would be ignored.
     *
     * @throws Refused 400 {@code bad-request}, naming the parameter and those there are
     */
    public static void requireKnown(Parameters query, String... names) {
        for (String name : query.names()) {
            if (!List.of(names).contains(name)) {
                throw badRequest("no parameter '" + name + "' — " + (names.length == 0 ? "this endpoint takes none" : "use " + String.join(", ", names)));
            }
        }
    }

    /**
     * The body as a JSON object whose fields are all among {@code fields}; no body is an empty
     * object.
     *
     * @throws Refused 413 {@code payload-too-large} past {@link #MAX_BODY} bytes; 400 {@code malformed-json} when it is
     *                 not JSON, naming the line and column; 400 {@code bad-request} when it is JSON but no object, or has
     *                 another field, naming it and those there are
     */
    public static JsonNode object(ServerRequest req, String... fields) throws IOException {
        byte[] bytes = req.content().inputStream().readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw new Refused(Status.REQUEST_ENTITY_TOO_LARGE_413, "payload-too-large", "the body takes more than " + MAX_BODY / 1024
                    + " KiB — send only the fields the endpoint takes", null);
        }
        String takes = fields.length == 0 ? "this endpoint takes no body, or {}" : "use " + String.join(", ", fields);
        JsonNode body;
        try {
            body = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            // Told in JSON's own terms, as a function's body is.
            String explained = Json.explain(bytes);
            String at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new Refused(Status.BAD_REQUEST_400, "malformed-json", explained != null ? explained
                    : "malformed JSON" + at + " — send one JSON object: " + takes, e);
        }
        if (body == null || body.isMissingNode()) {
            return JSON.createObjectNode(); // no body, or only white space
        }
        if (!body.isObject()) {
            throw badRequest("the body must be a JSON object, not " + body.getNodeType().name().toLowerCase(Locale.ROOT) + " — " + takes);
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!List.of(fields).contains(name)) {
                throw badRequest("no field '" + name + "' — " + takes);
            }
        }
        return body;
    }

    private static Refused badRequest(String message) {
        return new Refused(Status.BAD_REQUEST_400, "bad-request", message, null);
    }
}
