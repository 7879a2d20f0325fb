package dev.nanolith.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;

/** How every endpoint of the platform answers: JSON bodies, and errors as {@code {"error", "message"}}. */
public final class Responses {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Responses() {
    }

    /** A new empty JSON object to fill in. */
    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** The body of an error: a stable code and a message that says what to do. */
    public static ObjectNode errorBody(String error, String message) {
        return object().put("error", error).put("message", message);
    }

    /** Answers with an error. */
    public static void error(ServerResponse res, Status status, String error, String message) {
        json(res, status, errorBody(error, message));
    }

    /** Answers with any value as JSON. */
    public static void json(ServerResponse res, Status status, Object body) {
        try {
            res.status(status).header(HeaderValues.CONTENT_TYPE_JSON).send(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
