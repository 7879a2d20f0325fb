package dev.nanolith.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.common.parameters.Parameters;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;

/** How the platform's own endpoints read a request: the query parameters they know, a JSON object with the fields they know. */
public final class Requests {

    /** The most bytes of a body read as JSON. */
    public static final int MAX_BODY = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A body that is not JSON: answered 400 {@code malformed-json}, as the gateway answers a function's. */
    public static final class MalformedJson extends IllegalArgumentException {
        MalformedJson(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Requests() {
    }

    /**
     * Refuses a query parameter that is not one of {@code names}: a misspelt one would be ignored.
     *
     * @throws IllegalArgumentException naming the parameter and those there are
     */
    public static void known(Parameters query, String... names) {
        for (String name : query.names()) {
            if (!List.of(names).contains(name)) {
                throw new IllegalArgumentException("no parameter '" + name + "' — "
                        + (names.length == 0 ? "this endpoint takes none" : "use " + String.join(", ", names)));
            }
        }
    }

    /**
     * The body as a JSON object whose fields are all among {@code fields}; no body is an empty
     * object.
     *
     * @throws MalformedJson            when the body is not JSON, naming the line and column
     * @throws IllegalArgumentException when it is longer than {@link #MAX_BODY} bytes, JSON but no object, or has another
     *                                  field, naming it and those there are
     */
    public static JsonNode object(ServerRequest req, String... fields) throws IOException {
        byte[] bytes = req.content().inputStream().readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw new IllegalArgumentException("the body takes more than " + MAX_BODY / 1024 + " KiB — send only the fields the endpoint takes");
        }
        if (bytes.length == 0) {
            return JSON.createObjectNode();
        }
        JsonNode body;
        try {
            body = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new MalformedJson("the body is not JSON" + at + ": " + e.getOriginalMessage(), e);
        }
        if (!body.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object with " + String.join(", ", fields) + ", not " + body.getNodeType()
                    .name().toLowerCase(java.util.Locale.ROOT));
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!List.of(fields).contains(name)) {
                throw new IllegalArgumentException("no field '" + name + "' — use " + String.join(", ", fields));
            }
        }
        return body;
    }
}
