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
 * A payment processor that rate-limits, fails or is slow: the checkout answers with a status that
 * says which (503 with Retry-After, 500 with an error id, 504), leaves no order and no stock taken
 * behind, and the next checkout goes through.
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
        // A charge may take two seconds here, less than the slow processor's delay below.
        shop = ShopServer.start("payment-failures", Map.of("SHOP_PAYMENT_TIMEOUT", "2s"));
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
    void aFailingProcessorFailsTheChargeWithTheCauseLoggedUnderTheErrorId() throws Exception {
        shop.psp.behave(new PaymentSimulator.Behaviour("fail", 0, 1, 1));

        ShopServer.Answer answer = shop.call("checkout.place-order", BASKET);

        assertEquals(500, answer.status(), answer.body().toString());
        assertEquals("function-failed", answer.body().path("error").asText());
        String errorId = answer.body().path("errorId").asText();
        assertEquals("'payments.charge' failed (error id " + errorId + ")", answer.body().path("message").asText());
        assertEquals(Optional.empty(), answer.headers().firstValue("Retry-After"));
        String cause = log.cause(errorId);
        assertTrue(cause.startsWith("the payment processor failed with HTTP 500 (processor_error: simulated failure) — asking again"
                + " with idempotency key "), cause);
        assertNothingChanged();
        assertTheNextCheckoutGoesThrough();
    }

    @Test
    void aSlowProcessorRunsOutTheChargesTimeout() throws Exception {
        shop.psp.behave(new PaymentSimulator.Behaviour("slow", 5000, 1, 1));

        long start = System.nanoTime();
        // The charge's HTTP timeout is the time its call has left, so the processor's silence
        // outlasts the deadline: a timeout, not a failure of the charge.
        shop.refused("checkout.place-order", BASKET, 504, "deadline-exceeded", "'payments.charge' did not finish within 2000 ms");
        long tookMillis = (System.nanoTime() - start) / 1_000_000;

        assertTrue(tookMillis < 4000, "the shop gave up at the charge's deadline, not when the processor answered: " + tookMillis + " ms");
        assertEquals(List.of(), log.failures(), "a timeout is not logged as the charge's failure");
        assertNothingChanged();
        // The processor still completes the charge the shop gave up on, as a real one would:
        // that is what the charge's idempotency key is for. Wait for it, so that no other test counts it.
        long until = System.nanoTime() + 5_000_000_000L;
        while (shop.psp.charged() == charged && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertTheNextCheckoutGoesThrough();
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
