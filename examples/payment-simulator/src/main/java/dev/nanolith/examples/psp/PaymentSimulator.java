package dev.nanolith.examples.psp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A payment processor's HTTP API, simulated: {@code POST /v1/charges} charges a card, and
 * {@code POST /control} tells it to misbehave the way real processors do — to be slow, to
 * fail with 500, to reject the request with 400, or to rate-limit with 429 and Retry-After —
 * for a number of requests or until told otherwise.
 */
public final class PaymentSimulator implements AutoCloseable {

    /** How the simulator answers charges; {@code times} counts down to {@code ok}, or is -1 for ever. */
    public record Behaviour(String mode, int delayMs, int retryAfterSeconds, int times) {

        public static final Behaviour OK = new Behaviour("ok", 0, 1, -1);

        public Behaviour {
            if (!java.util.Set.of("ok", "slow", "fail", "reject", "rate-limit").contains(mode)) {
                throw new IllegalArgumentException("unknown mode '" + mode + "' — use ok, slow, fail, reject or rate-limit");
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private volatile String apiKey;
    private final WebServer server;
    private final AtomicReference<Behaviour> behaviour = new AtomicReference<>(Behaviour.OK);
    private final AtomicInteger charges = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final Map<String, JsonNode> byIdempotencyKey = new ConcurrentHashMap<>();

    private PaymentSimulator(String host, int port, String apiKey) {
        this.apiKey = apiKey;
        this.server = WebServer.builder().host(host).port(port).shutdownHook(false).routing(this::routes).build().start();
    }

    /** Starts a simulator on {@code host:port} (0 for a free port) with a fresh API key. */
    public static PaymentSimulator start(String host, int port) {
        return new PaymentSimulator(host, port, newKey());
    }

    private static String newKey() {
        return "sk_test_" + Long.toHexString(Double.doubleToLongBits(Math.random()));
    }

    public static void main(String[] args) throws InterruptedException {
        PaymentSimulator psp = start("127.0.0.1", args.length > 0 ? Integer.parseInt(args[0]) : 0);
        System.out.println("payment simulator on " + psp.url() + ", API key " + psp.apiKey());
        Thread.currentThread().join();
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /** The key a client must send as {@code Authorization: Bearer <key>}. */
    public String apiKey() {
        return apiKey;
    }

    /** Rolls the API key, as a processor's dashboard does: the old key is refused from now on. Returns the new one. */
    public String rollKey() {
        apiKey = newKey();
        return apiKey;
    }

    /** Sets how the next charges are answered. */
    public void behave(Behaviour next) {
        behaviour.set(next);
    }

    /** How many charge requests came, whatever they were answered. */
    public int requests() {
        return requests.get();
    }

    /** How many charges succeeded. */
    public int charged() {
        return charges.get();
    }

    @Override
    public void close() {
        server.stop();
    }

    private void routes(HttpRouting.Builder routing) {
        routing.post("/v1/charges", this::charge)
                .get("/control", (req, res) -> send(res, Status.OK_200, JSON.valueToTree(behaviour.get())))
                .post("/control", this::control);
    }

    private void control(ServerRequest req, ServerResponse res) {
        try {
            JsonNode body = JSON.readTree(req.content().as(byte[].class));
            Behaviour next = new Behaviour(body.path("mode").asText("ok"), body.path("delayMs").asInt(2000),
                    body.path("retryAfterSeconds").asInt(1), body.path("times").asInt(-1));
            behaviour.set(next);
            send(res, Status.OK_200, JSON.valueToTree(next));
        } catch (IOException | IllegalArgumentException e) {
            send(res, Status.BAD_REQUEST_400, error("bad_request", e.getMessage()));
        }
    }

    private void charge(ServerRequest req, ServerResponse res) throws InterruptedException {
        requests.incrementAndGet();
        if (!req.headers().value(HeaderNames.AUTHORIZATION).map(("Bearer " + apiKey)::equals).orElse(false)) {
            send(res, Status.UNAUTHORIZED_401, error("unauthorized", "send Authorization: Bearer <API key>"));
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(req.content().as(byte[].class));
        } catch (IOException e) {
            send(res, Status.BAD_REQUEST_400, error("bad_request", "the body is not JSON"));
            return;
        }
        long amount = body.path("amountCents").asLong(-1);
        String card = body.path("card").asText("");
        if (amount <= 0 || card.isEmpty() || body.path("currency").asText("").length() != 3) {
            send(res, Status.BAD_REQUEST_400, error("bad_request", "give amountCents > 0, a 3-letter currency and a card"));
            return;
        }
        Behaviour now = take();
        switch (now.mode()) {
            case "fail" -> {
                send(res, Status.INTERNAL_SERVER_ERROR_500, error("processor_error", "simulated failure"));
                return;
            }
            case "reject" -> {
                send(res, Status.BAD_REQUEST_400, error("invalid_request", "simulated rejection"));
                return;
            }
            case "rate-limit" -> {
                res.header(HeaderValues.create(HeaderNames.RETRY_AFTER, now.retryAfterSeconds()));
                send(res, Status.TOO_MANY_REQUESTS_429, error("rate_limited", "too many requests"));
                return;
            }
            case "slow" -> Thread.sleep(now.delayMs());
            default -> {
            }
        }
        if (card.equals("tok_declined")) {
            send(res, Status.PAYMENT_REQUIRED_402, error("card_declined", "the card was declined"));
            return;
        }
        String key = req.headers().value(HeaderNames.create("Idempotency-Key")).orElse(null);
        JsonNode charge = key == null ? newCharge(body) : byIdempotencyKey.computeIfAbsent(key, k -> newCharge(body));
        send(res, Status.OK_200, charge);
    }

    private Behaviour take() {
        return behaviour.getAndUpdate(b -> b.times() < 0 ? b
                : b.times() <= 1 ? Behaviour.OK : new Behaviour(b.mode(), b.delayMs(), b.retryAfterSeconds(), b.times() - 1));
    }

    private JsonNode newCharge(JsonNode request) {
        return JSON.createObjectNode()
                .put("id", String.format("ch_%06d", charges.incrementAndGet()))
                .put("status", "succeeded")
                .put("amountCents", request.path("amountCents").asLong())
                .put("currency", request.path("currency").asText());
    }

    private static ObjectNode error(String code, String message) {
        return JSON.createObjectNode().put("error", code).put("message", message);
    }

    private static void send(ServerResponse res, Status status, JsonNode body) {
        try {
            res.status(status).header(HeaderValues.CONTENT_TYPE_JSON).send(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
