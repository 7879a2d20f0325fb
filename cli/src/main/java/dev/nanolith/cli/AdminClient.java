package dev.nanolith.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/** The launcher's way to the admin API of the platform that runs on a data directory. */
final class AdminClient {

    /** A failure to show the user as it is. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;
    private final String token;
    private final Path dataDir;

    private AdminClient(String url, String token, Path dataDir) {
        this.url = url;
        this.token = token;
        this.dataDir = dataDir;
    }

    /** The client of the platform that last started on {@code dataDir}. */
    static AdminClient of(Path dataDir) throws Failure {
        try {
            return new AdminClient(Files.readString(dataDir.resolve("url")).strip(), Files.readString(dataDir.resolve("admin-token")).strip(),
                    dataDir);
        } catch (NoSuchFileException e) {
            throw new Failure("no platform has run on " + dataDir + " — start one with ./nanolith run --data " + dataDir
                    + " (or give this command the --data of a running one)");
        } catch (IOException e) {
            throw new Failure("cannot read " + dataDir + ": " + e.getMessage());
        }
    }

    String url() {
        return url;
    }

    JsonNode get(String path) throws Failure {
        return send(HttpRequest.newBuilder(URI.create(url + "/admin" + path)).GET());
    }

    JsonNode post(String path, String json) throws Failure {
        return send(HttpRequest.newBuilder(URI.create(url + "/admin" + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Sends {@code text} as it is, as UTF-8 plain text. */
    JsonNode put(String path, String text) throws Failure {
        return send(HttpRequest.newBuilder(URI.create(url + "/admin" + path)).header("Content-Type", "text/plain; charset=utf-8")
                .PUT(HttpRequest.BodyPublishers.ofString(text)));
    }

    JsonNode delete(String path) throws Failure {
        return send(HttpRequest.newBuilder(URI.create(url + "/admin" + path)).DELETE());
    }

    /** An empty JSON object, for a request's body. */
    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    private JsonNode send(HttpRequest.Builder request) throws Failure {
        try {
            HttpResponse<String> r = http.send(request.header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(r.body());
            if (r.statusCode() >= 400) {
                throw new Failure(body.path("message").asText(r.body()));
            }
            return body;
        } catch (ConnectException e) {
            throw new Failure("no platform answers at " + url + " — start one with ./nanolith run --data " + dataDir);
        } catch (IOException e) {
            throw new Failure("the platform at " + url + " did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
    }

    static String quote(String text) {
        return JSON.getNodeFactory().textNode(text).toString();
    }
}
