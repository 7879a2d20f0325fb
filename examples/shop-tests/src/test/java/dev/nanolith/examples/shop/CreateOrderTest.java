package dev.nanolith.examples.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * orders.create-order: one operation through auth, validation, pricing, inventory, payment,
 * invoice, shipping, notification, reporting and analytics, each a function of its own.
 */
class CreateOrderTest {

    static final String TO_AMSTERDAM = "{\"name\":\"Ada Lovelace\",\"street\":\"Herengracht 1\",\"postcode\":\"1015 BA\",\"city\":\"Amsterdam\",\"country\":\"NL\"}";

    static ShopServer shop;

    @BeforeAll
    static void start() throws Exception {
        shop = ShopServer.start("create-order", Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        shop.close();
    }

    static String order(String token, String items, String shipTo) {
        return "{\"token\":\"" + token + "\",\"items\":" + items + ",\"shipTo\":" + shipTo + "}";
    }

    @Test
    void createsAPaidInvoicedAndBookedOrderThroughEveryCapability() throws Exception {
        Map<String, Long> before = shop.invocations();
        int mice = shop.stock("MS-200");

        JsonNode created = shop.ok("orders.create-order",
                order("tk_ada_4d3f", "[{\"sku\":\"MS-200\",\"quantity\":2},{\"sku\":\"CB-300\",\"quantity\":1}]", TO_AMSTERDAM));

        assertEquals(List.of("orderId", "totalCents", "invoice", "carrier", "trackingNumber"), CheckoutTest.fields(created));
        long id = created.path("orderId").asLong();
        long total = 2 * 2900 + 1200;
        assertEquals(total, created.path("totalCents").asLong());
        assertEquals("PostNL", created.path("carrier").asText());
        assertEquals(String.format("3S%010dNL", id), created.path("trackingNumber").asText());
        String invoice = created.path("invoice").asText();

        assertEquals(mice - 2, shop.stock("MS-200"));
        assertEquals(1, shop.count("SELECT customer_id FROM orders WHERE id = ?", id), "Ada is customer 1");
        assertEquals(total, shop.count("SELECT total_cents FROM invoices WHERE number = ? AND order_id = ?", invoice, id));
        assertEquals(1215, shop.count("SELECT vat_cents FROM invoices WHERE number = ?", invoice), "21% VAT included in EUR 70.00");
        assertEquals("Amsterdam", shop.text("SELECT city FROM shipments WHERE order_id = ?", id));
        assertEquals("ada@example.com", shop.text("SELECT recipient FROM outbox WHERE subject = ?", "Your order " + id));
        assertEquals(3, shop.count("SELECT SUM(units) FROM sales WHERE order_id = ?", id));
        assertEquals(total, shop.count("SELECT value_cents FROM events WHERE name = 'order-placed' AND customer_id = 1"));

        Map<String, Long> calls = new TreeMap<>();
        shop.invocations().forEach((function, count) -> {
            long more = count - before.getOrDefault(function, 0L);
            if (more > 0) {
                calls.put(function, more);
            }
        });
        Map<String, Long> expected = new HashMap<>();
        List.of("orders.create-order", "auth.authenticate", "validation.validate-order", "checkout.place-order",
                "checkout.verify-items", "inventory.check-stock", "payments.get-payment-details", "pricing.price-order",
                "inventory.reserve-stock", "payments.charge", "orders.record-order", "notification.send-order-confirmation",
                "reporting.record-sale", "analytics.track-event", "invoice.issue-invoice", "orders.get-order",
                "shipping.schedule-shipment").forEach(function -> expected.put(function, 1L));
        expected.put("catalog.find-products", 2L); // once to verify the items, once to price them
        assertEquals(new TreeMap<>(expected), calls);
    }

    @Test
    void refusesAnUnknownTokenBeforeAnythingElse() throws Exception {
        Map<String, Long> before = shop.invocations();

        shop.refused("orders.create-order", order("tk_nobody", "[{\"sku\":\"MS-200\",\"quantity\":1}]", TO_AMSTERDAM),
                403, "invalid-token", "the token is not valid — use the token you got when you signed up");

        Map<String, Long> after = shop.invocations();
        assertEquals(before.getOrDefault("auth.authenticate", 0L) + 1, after.get("auth.authenticate"));
        assertEquals(before.getOrDefault("validation.validate-order", 0L), after.getOrDefault("validation.validate-order", 0L));
        assertEquals(before.getOrDefault("checkout.place-order", 0L), after.getOrDefault("checkout.place-order", 0L));
    }

    @Test
    void refusesAnAddressTheShopCannotShipToAs422NamingEveryProblem() throws Exception {
        long orders = shop.count("SELECT COUNT(*) FROM orders");
        Map<String, Long> before = shop.invocations();

        shop.refused("orders.create-order", order("tk_grace_8b1e", "[{\"sku\":\"MS-200\",\"quantity\":1}]",
                "{\"name\":\"Grace Hopper\",\"street\":\"\",\"postcode\":\"10001\",\"city\":\" \",\"country\":\"US\"}"),
                422, "invalid-address", "shipTo.city is empty — fill it in; shipTo.street is empty — fill it in;"
                        + " the shop does not ship to 'US' — it ships to BE, DE, FR, LU, NL");

        assertEquals(orders, shop.count("SELECT COUNT(*) FROM orders"));
        assertEquals(before.getOrDefault("checkout.place-order", 0L), shop.invocations().getOrDefault("checkout.place-order", 0L));
    }

    @Test
    void passesTheCheckoutsRefusalsOnAsTheyAreAndCreatesNothing() throws Exception {
        long invoices = shop.count("SELECT COUNT(*) FROM invoices");
        long shipments = shop.count("SELECT COUNT(*) FROM shipments");
        int keyboards = shop.stock("KB-100");
        String toParis = "{\"name\":\"Alan Turing\",\"street\":\"Rue de Rivoli 1\",\"postcode\":\"75001\",\"city\":\"Paris\",\"country\":\"FR\"}";

        shop.refused("orders.create-order", order("tk_alan_2c7a", "[{\"sku\":\"KB-100\",\"quantity\":1}]", toParis),
                402, "card-declined", "the card was declined — nothing was charged; pay with another card");
        shop.refused("orders.create-order", order("tk_alan_2c7a", "[{\"sku\":\"HP-500\",\"quantity\":1}]", toParis),
                409, "out-of-stock", "not enough HP-500 in stock: 1 asked, 0 left");

        assertEquals(invoices, shop.count("SELECT COUNT(*) FROM invoices"));
        assertEquals(shipments, shop.count("SELECT COUNT(*) FROM shipments"));
        assertEquals(0, shop.count("SELECT COUNT(*) FROM orders WHERE customer_id = 3"));
        assertEquals(keyboards, shop.stock("KB-100"));
        assertEquals(0, shop.count("SELECT COUNT(*) FROM reservations"));
    }

    @Test
    void refusesToInvoiceAnOrderThatDoesNotExist() throws Exception {
        // invoice.issue-invoice does not catch the refusal of orders.get-order: it reaches the client as it is.
        shop.refused("invoice.issue-invoice", "{\"orderId\":4242}", 404, "no-such-order",
                "there is no order 4242 — the order number is in the order's confirmation email");
        assertEquals(0, shop.count("SELECT COUNT(*) FROM invoices WHERE order_id = 4242"));
    }
}
