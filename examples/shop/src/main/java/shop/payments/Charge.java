package shop.payments;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import dev.nanolith.RefusedException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * Charges a card through the payment processor's HTTP API; a declined card is refused (402), and
 * so is a charge while the processor rate-limits for longer than the platform waits (503, with its
 * Retry-After).
 *
 * <p>The refusals' codes are {@code card-declined} and {@code payment-unavailable}. A processor
 * that fails, cannot be reached or does not answer in time fails the call with a message that
 * says which. Nothing is retried here: the platform's client ({@code ctx.http()}) waits out a
 * short rate limit, makes a failed charge again (the idempotency key makes that safe) and holds
 * the processor's circuit breaker, all within this call's time.
 */
public final class Charge implements Nano<ChargeRequest, Charged> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Charged apply(ChargeRequest charge, Ctx ctx) throws Exception {
        URI uri = URI.create(ctx.config("psp-url") + "/v1/charges");
        // The platform's client gives the request the time this call has left: it never outlasts the call.
        HttpRequest request = HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + ctx.secret("PSP_API_KEY"))
                .header("Idempotency-Key", charge.idempotencyKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(JSON.createObjectNode()
                        .put("amountCents", charge.amountCents())
                        .put("currency", charge.currency())
                        .put("card", charge.card()))))
                .build();
        HttpResponse<String> response;
        try {
            response = ctx.http().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new PaymentProcessorException("the payment processor did not answer in time; whether it charged is unknown — asking"
                    + " again with idempotency key " + charge.idempotencyKey() + " is safe", e);
        } catch (ConnectException e) {
            throw new PaymentProcessorException("the payment processor at " + uri + " cannot be reached — nothing was charged", e);
        }
        JsonNode body = parse(response.body());
        int status = response.statusCode();
        return switch (status) {
            case 200, 201 -> new Charged(body.path("id").asText());
            case 402 -> throw RefusedException.withStatus(402, "card-declined",
                    body.path("message").asText("the card was declined") + " — nothing was charged; pay with another card");
            case 429 -> throw rateLimited(response, ctx);
            case 503 -> throw response.headers().firstValue("Retry-After").isPresent() ? rateLimited(response, ctx)
                    : new PaymentProcessorException("the payment processor is unavailable (HTTP 503, " + said(body) + ") — asking again"
                            + " with idempotency key " + charge.idempotencyKey() + " is safe");
            // A failing processor stays a failure (500), logged under an error id: whether it took the money is unknown.
            default -> throw new PaymentProcessorException(status >= 500
                    ? "the payment processor failed with HTTP " + status + " (" + said(body) + ") — asking again with idempotency key "
                            + charge.idempotencyKey() + " is safe"
                    : "the payment processor refused the request with HTTP " + status + " (" + said(body)
                            + ") — check the psp-url setting and the PSP_API_KEY secret");
        };
    }

    /** The processor takes no charges for now: nothing was charged, and the client may try again when it says. */
    private static RefusedException rateLimited(HttpResponse<?> response, Ctx ctx) {
        Optional<String> header = response.headers().firstValue("Retry-After");
        Optional<Duration> after = header.flatMap(Charge::retryAfter);
        ctx.log().log(System.Logger.Level.WARNING, "the payment processor rate-limits charges (HTTP " + response.statusCode() + ", Retry-After: "
                + header.orElse("not given") + ")");
        String message = "the payment processor is rate-limiting charges — nothing was charged; try again "
                + after.map(d -> "after " + d.toSeconds() + " s").orElse("later");
        return RefusedException.unavailable("payment-unavailable", message, after.orElse(null));
    }

    /** A Retry-After header's wait in seconds, at least one; the HTTP-date form counts as not given. */
    private static Optional<Duration> retryAfter(String value) {
        try {
            return Optional.of(Duration.ofSeconds(Math.max(1, Long.parseLong(value.strip()))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }

    private static String said(JsonNode body) {
        return body.path("error").asText("no error code") + ": " + body.path("message").asText("no message");
    }
}
