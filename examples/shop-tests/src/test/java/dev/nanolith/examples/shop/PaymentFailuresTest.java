package dev.nanolith.examples.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nanolith.examples.psp.PaymentSimulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A payment processor that rate-limits, fails or is slow, met by the platform's standard error
 * handler: in the charge's requests to the processor ({@code ctx.http()}), a short rate limit is
 * waited out, a request that failed is made again with its idempotency key, and a processor that
 * keeps failing opens its host's circuit breaker; on the checkout's call of the charge, a charge
 * that timed out is made again (charged once). What cannot be helped is answered with a status that
 * says why (503 with Retry-After), leaving no order and no stock taken behind.
 */
class PaymentFailuresTest {

    static final String BASKET = "{\"customerId\":1,\"items\":[{\"sku\":\"KB-100\",\"quantity\":2}]}";

    static ShopServer shop;
    FailureLog log;
    int keyboards;
    long orders;
    int charged;

    @BeforeAll
    static void start() throws Exception {
        // A charge may take three seconds here, less than the slow processor's delay below, more than two waits of a second.
        shop = ShopServer.start("payment-failures", Map.of("SHOP_PAYMENT_TIMEOUT", "3s", "SHOP_PSP_OPEN_FOR", "2s"));
        // The first charge in a fresh worker loads the shop's own libraries (its Jackson, the JDK's HTTP client), which may
        // take longer than that on a busy machine: what is tested here is a warm charge.
        for (int i = 0; i < 3 && shop.call("checkout.place-order", BASKET).status() != 200; i++) {
            Thread.sleep(1_000);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        shop.close();
    }

    @BeforeEach
    void before() throws Exception {
        log = new FailureLog("payments.charge");
        keyboards = shop.stock("KB-100");
        orders = shop.count("SELECT COUNT(*) FROM orders");
        charged = shop.psp.charged();
    }

    @AfterEach
    void after() {
        log.close();
    }

    @Test
    void aRateLimitedChargeIsRefusedAsUnavailableSayingWhenToTryAgain() throws Exception {
        shop.psp.behave(new PaymentSimulator.Behaviour("rate-limit", 0, 7, 1));

        ShopServer.Answer answer = shop.refused("checkout.place-order", BASKET, 503, "payment-unavailable",
                "the payment processor is rate-limiting charges — nothing was charged; try again after 7 s");

        assertEquals(Optional.of("7"), answer.headers().firstValue("Retry-After"));
        assertEquals(List.of(), log.failures(), "a refusal is not a failure");
        assertEquals(charged, shop.psp.charged());
        assertNothingChanged();
        assertTheNextCheckoutGoesThrough();
    }

    @Test
    void aChargeRateLimitedTwiceForASecondIsWaitedOutAndGoesThrough() throws Exception {
        double waits = processorEvents("rate-limit-wait");
        shop.psp.behave(new PaymentSimulator.Behaviour("rate-limit", 0, 1, 2));

        long start = System.nanoTime();
        assertTheNextCheckoutGoesThrough();
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertTrue(millis >= 2_000 && millis < 4_500, "the checkout took " + millis + " ms, not two waits of 1 s");
        assertEquals(waits + 2, processorEvents("rate-limit-wait"));
        assertEquals(List.of(), log.failures(), "a wait is not a failure");
    }

    @Test
    void aChargeTheProcessorFailsOnceIsMadeAgainWithItsIdempotencyKeyAndTheRetryLogged() throws Exception {
        double retries = processorEvents("retry");
        int reached = shop.psp.requests();
        shop.psp.behave(new PaymentSimulator.Behaviour("fail", 0, 1, 1));

        assertTheNextCheckoutGoesThrough();

        assertEquals(reached + 2, shop.psp.requests());
        assertEquals(retries + 1, processorEvents("retry"));
        assertEquals(List.of(), log.failures(), "the charge failed: the platform's client did not make the request again");
        assertTrue(log.line("'payments.charge' calls '" + shop.psp.url() + "' again in ").contains(" (attempt 2 of 3) after an"
                + " unknown-outcome failure: HTTP 500 from " + shop.psp.url() + "; trace "));
    }

    @Test
    void aProcessorThatKeepsFailingOpensTheBreakerSoCheckoutsFailAtOnceUntilItServesAgain() throws Exception {
        shop.psp.behave(new PaymentSimulator.Behaviour("fail", 0, 1, -1));
        ShopServer.Answer answer = null;
        for (int i = 0; i < 10 && (answer == null || answer.status() != 503); i++) {
            answer = shop.call("checkout.place-order", BASKET);
        }
        assertEquals(503, answer.status(), answer.body().toString());
        assertEquals("circuit-open", answer.body().path("error").asText());
        int reached = shop.psp.requests();
        ShopServer.Answer open = shop.call("checkout.place-order", BASKET);
        assertEquals("circuit-open", open.body().path("error").asText(), open.body().toString());
        assertTrue(Integer.parseInt(open.headers().firstValue("Retry-After").orElseThrow()) >= 1);
        assertEquals(reached, shop.psp.requests(), "the open breaker let a charge reach the processor");
        assertNothingChanged();

        shop.psp.behave(PaymentSimulator.Behaviour.OK);
        Thread.sleep(2_100);
        // Half-open, it lets three charges through; served, it closes.
        for (int i = 0; i < 3; i++) {
            shop.ok("checkout.place-order", BASKET);
        }
        assertEquals(0.0, shop.metric("nanolith_circuit_state", "callee=\"" + shop.psp.url() + "\""));
        assertEquals(1.0, shop.metric("nanolith_circuit_transitions_total", "callee=\"" + shop.psp.url() + "\"", "state=\"closed\""));
    }

    @Test
    void aChargeTheProcessorIsSlowToAnswerRunsOutItsTimeoutAndIsMadeAgainButChargedOnce() throws Exception {
        shop.psp.behave(new PaymentSimulator.Behaviour("slow", 5000, 1, 1));

        long start = System.nanoTime();
        // The charge's HTTP timeout is the time its call has left: the processor's silence outlasts the charge's 3 s, and the
        // charge is made again, with the same idempotency key, within the checkout's own 5 s.
        assertTheNextCheckoutGoesThrough();
        long tookMillis = (System.nanoTime() - start) / 1_000_000;

        assertTrue(tookMillis >= 3_000 && tookMillis < 5_000, "the checkout took " + tookMillis + " ms, not the charge's 3 s and a retry");
        // The processor completes the slow charge too, as a real one would: the idempotency key makes it the same charge.
        Thread.sleep(3_500);
        assertEquals(charged + 1, shop.psp.charged(), "the card was charged twice");
    }

    @Test
    void aRolledProcessorKeyIsSetWithoutAPushAndTheNextChargeSendsIt() throws Exception {
        String rolled = shop.psp.rollKey();
        ShopServer.Answer answer = shop.call("checkout.place-order", BASKET);
        assertEquals(500, answer.status(), answer.body().toString());
        assertTrue(log.cause(answer.body().path("errorId").asText()).startsWith("the payment processor refused the request with HTTP 401"));
        assertNothingChanged();

        // As an operator would: ./nanolith secrets set shop PSP_API_KEY, its value from standard input.
        HttpResponse<String> set = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(shop.platform.url() + "/admin/apps/shop/secrets/PSP_API_KEY"))
                .header("Authorization", "Bearer " + shop.platform.adminToken()).PUT(HttpRequest.BodyPublishers.ofString(rolled)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, set.statusCode(), set.body());
        assertTrue(set.body().contains("\"workers\":1"), set.body());
        assertTheNextCheckoutGoesThrough();
    }

    /** What {@code nanolith_resilience_events_total} says of one event on the edge from the charge to the processor's host. */
    double processorEvents(String event) throws Exception {
        return shop.metric("nanolith_resilience_events_total", "caller=\"payments.charge\"", "callee=\"" + shop.psp.url() + "\"",
                "event=\"" + event + "\"");
    }

    void assertNothingChanged() throws Exception {
        assertEquals(keyboards, shop.stock("KB-100"), "the reserved items are back in stock");
        assertEquals(0, shop.count("SELECT COUNT(*) FROM reservations"));
        assertEquals(orders, shop.count("SELECT COUNT(*) FROM orders"), "no order is recorded");
    }

    void assertTheNextCheckoutGoesThrough() throws Exception {
        int before = shop.psp.charged();
        JsonNode placed = shop.ok("checkout.place-order", BASKET);
        assertEquals(placed.path("chargeId").asText(), shop.text("SELECT charge_id FROM orders WHERE id = ?", placed.path("orderId").asLong()));
        assertEquals(orders + 1, shop.count("SELECT COUNT(*) FROM orders"));
        assertEquals(before + 1, shop.psp.charged());
        assertEquals(keyboards - 2, shop.stock("KB-100"));
    }
}
