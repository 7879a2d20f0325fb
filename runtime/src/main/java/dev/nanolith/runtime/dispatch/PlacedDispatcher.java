package dev.nanolith.runtime.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanolith.BadInputException;
import dev.nanolith.DeadlineExceededException;
import dev.nanolith.FunctionFailedException;
import dev.nanolith.NoSuchFunctionException;
import dev.nanolith.RefusedException;
import dev.nanolith.ServiceUnavailableException;
import dev.nanolith.runtime.Call;
import dev.nanolith.runtime.Dispatcher;
import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.Invoker;
import dev.nanolith.runtime.load.LoadException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Runs each function where its placement puts it: in this process when it belongs to this
 * process's service, otherwise in its service's process, over HTTP/1.1 keep-alive on loopback
 * with JSON bodies. The caller's identity and remaining time travel with the call, signed; the
 * callee's answer comes back as the same value or the same exception a local call would give.
 */
public final class PlacedDispatcher implements Dispatcher {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Predicate<FunctionSpec> local;
    private final Dispatcher here;
    private final Signature signature;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * @param local which functions run in this process
     * @param here  how they run here
     */
    public PlacedDispatcher(Predicate<FunctionSpec> local, Dispatcher here, Signature signature) {
        this.local = local;
        this.here = here;
        this.signature = signature;
    }

    @Override
    public Invoker invoker(FunctionSpec function) throws LoadException {
        return local.test(function) ? here.invoker(function) : (input, call) -> remote(function, input, call);
    }

    private Object remote(FunctionSpec function, Object input, Call call) {
        String base = call.route().revision().endpoints().get(function.service());
        if (base == null) {
            throw new ServiceUnavailableException(function.name(), function.service(), null);
        }
        long remaining = Math.max(1, Math.min(function.timeout().toMillis(), (call.deadline() - System.nanoTime()) / 1_000_000));
        String principal = call.caller().principal();
        String caller = call.from() == null ? "" : call.from();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/fn/" + function.name()))
                .timeout(Duration.ofMillis(remaining + 250))
                .header("Content-Type", "application/json")
                .header(Signature.PRINCIPAL, principal)
                .header(Signature.CALLER, caller)
                .header(Signature.REMAINING, Long.toString(remaining))
                .header(Signature.SIGNATURE, signature.sign(function.name(), principal, caller, remaining))
                .POST(HttpRequest.BodyPublishers.ofByteArray(call.route().writeInput(input)))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new ServiceUnavailableException(function.name(), function.service(), e);
        } catch (HttpTimeoutException e) {
            throw new DeadlineExceededException(function.name(), function.timeout());
        } catch (IOException e) {
            throw new ServiceUnavailableException(function.name(), function.service(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeadlineExceededException(function.name(), function.timeout());
        }
        if (response.statusCode() == 200) {
            return call.route().readOutput(response.body());
        }
        throw failure(function, response);
    }

    /** The exception the callee's process answered with, as a local call would have thrown it. */
    private static RuntimeException failure(FunctionSpec function, HttpResponse<byte[]> response) {
        JsonNode error;
        try {
            error = JSON.readTree(response.body());
        } catch (IOException e) {
            error = JSON.createObjectNode();
        }
        String code = error.path("error").asText("");
        String message = error.path("message").asText("");
        return switch (code) {
            case "deadline-exceeded" -> new DeadlineExceededException(function.name(), function.timeout());
            case "function-failed" -> new FunctionFailedException(function.name(), error.path("errorId").asText("unknown"), null);
            case "no-such-function" -> new NoSuchFunctionException(function.name());
            case "bad-input", "malformed-json" -> new BadInputException(function.name(), message, null);
            case "service-unavailable" -> new ServiceUnavailableException(function.name(), function.service(), null);
            default -> {
                int status = response.statusCode();
                if (status == 503) {
                    yield RefusedException.unavailable(code, message, response.headers().firstValue("Retry-After")
                            .map(s -> Duration.ofSeconds(Long.parseLong(s))).orElse(Duration.ofSeconds(1)));
                }
                if (status >= 400 && status < 500) {
                    yield RefusedException.withStatus(status, code, message);
                }
                yield new FunctionFailedException(function.name(), "remote-" + status, null);
            }
        };
    }
}
