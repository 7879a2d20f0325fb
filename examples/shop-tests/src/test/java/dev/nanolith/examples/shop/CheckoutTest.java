package dev.nanolith.examples.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * checkout.place-order: a basket is paid and recorded in full, or it is refused with a status,
 * a code and a reason, and nothing changes at all.
 */
class CheckoutTest {

    static ShopServer shop;

    @BeforeAll
    static void start() throws Exception {
        shop = ShopServer.start("checkout", Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        shop.close();
    }

    static String basket(long customerId, String... skuAndQuantity) {
        List<String> items = new ArrayList<>();
        for (int i = 0; i < skuAndQuantity.length; i += 2) {
            items.add("{\"sku\":\"" + skuAndQuantity[i] + "\",\"quantity\":" + skuAndQuantity[i + 1] + "}");
        }
        return "{\"customerId\":" + customerId + ",\"items\":[" + String.join(",", items) + "]}";
    }

    /** What a refused checkout must leave as it was. */
    record Before(long orders, int charged, int mice, long outbox) {

        static Before now() throws Exception {
            return new Before(shop.count("SELECT COUNT(*) FROM orders"), shop.psp.charged(), shop.stock("MS-200"),
                    shop.count("SELECT COUNT(*) FROM outbox"));
        }

        void assertNothingChanged() throws Exception {
            assertEquals(orders, shop.count("SELECT COUNT(*) FROM orders"), "no order is recorded");
            assertEquals(charged, shop.psp.charged(), "nothing is charged");
            assertEquals(mice, shop.stock("MS-200"), "the stock is as it was");
            assertEquals(0, shop.count("SELECT COUNT(*) FROM reservations"), "no stock is held");
            assertEquals(outbox, shop.count("SELECT COUNT(*) FROM outbox"), "no email is queued");
        }
    }

    @Test
    void placesTheOrderTakesTheStockChargesTheCardAndQueuesTheConfirmation() throws Exception {
        int keyboards = shop.stock("KB-100");
        int cables = shop.stock("CB-300");
        int charged = shop.psp.charged();

        JsonNode placed = shop.ok("checkout.place-order", basket(2, "KB-100", "1", "CB-300", "2"));

        long order = placed.path("orderId").asLong();
        assertEquals(List.of("orderId", "totalCents", "chargeId"), fields(placed));
        assertEquals(8900 + 2 * 1200, placed.path("totalCents").asLong(), "free shipping from EUR 50");
        assertEquals(keyboards - 1, shop.stock("KB-100"));
        assertEquals(cables - 2, shop.stock("CB-300"));
        assertEquals(charged + 1, shop.psp.charged());
        assertEquals(placed.path("chargeId").asText(), shop.text("SELECT charge_id FROM orders WHERE id = ?", order));
        assertEquals(2, shop.count("SELECT COUNT(*) FROM order_lines WHERE order_id = ?", order));
        assertEquals(0, shop.count("SELECT COUNT(*) FROM reservations"), "the reservation became the sale");
        assertEquals("grace@example.com", shop.text("SELECT recipient FROM outbox WHERE subject = ?", "Your order " + order));
        assertTrue(shop.text("SELECT body FROM outbox WHERE subject = ?", "Your order " + order).contains("EUR 113.00"));

        JsonNode read = shop.ok("orders.get-order", "{\"orderId\":" + order + "}");
        assertEquals(2, read.path("customerId").asLong());
        assertEquals("KB-100", read.path("lines").path(0).path("sku").asText());
        assertEquals(2, read.path("lines").path(1).path("quantity").asInt());
        assertEquals(11300, read.path("totalCents").asLong());
    }

    @Test
    void addsTheShippingFeeBelowFiftyEuros() throws Exception {
        JsonNode placed = shop.ok("checkout.place-order", basket(1, "MS-200", "1"));

        assertEquals(2900 + 495, placed.path("totalCents").asLong(), placed::toString);
    }

    @Test
    void refusesAnUnknownOrderAsNotFound() throws Exception {
        shop.refused("orders.get-order", "{\"orderId\":999}", 404, "no-such-order",
                "there is no order 999 — the order number is in the order's confirmation email");
    }

    @Test
    void refusesUnknownAndSoldOutItemsAs422NamingEveryProblemAndChangesNothing() throws Exception {
        Before before = Before.now();

        shop.refused("checkout.place-order", basket(2, "MS-200", "1", "HP-500", "1", "XX-999", "1"), 422, "unknown-sku",
                "there is no product XX-999 — catalog.list-products lists them; not enough HP-500 in stock: 1 asked, 0 left");

        before.assertNothingChanged();
    }

    @Test
    void refusesABasketThatIsOnlyShortOfStockAsAConflict() throws Exception {
        Before before = Before.now();

        shop.refused("checkout.place-order", basket(2, "MS-200", "1", "HP-500", "2"), 409, "out-of-stock",
                "not enough HP-500 in stock: 2 asked, 0 left");

        before.assertNothingChanged();
    }

    @Test
    void refusesABasketWithAProductTwiceOrNoItemsOrAnUnknownCustomer() throws Exception {
        Before before = Before.now();

        shop.refused("checkout.place-order", basket(2, "MS-200", "1", "MS-200", "2"), 422, "duplicate-sku",
                "MS-200 is in the basket more than once — give it once, with the total quantity");
        shop.refused("checkout.place-order", basket(2), 422, "empty-basket", "the basket is empty — add at least one item");
        shop.refused("checkout.place-order", basket(99, "MS-200", "1"), 422, "unknown-customer", "there is no customer 99");

        before.assertNothingChanged();
    }

    @Test
    void refusesABadQuantityAs422() throws Exception {
        Before before = Before.now();

        shop.refused("checkout.place-order", basket(2, "MS-200", "0"), 422, "bad-quantity", "the quantity of MS-200 must be at least 1, not 0");
        shop.refused("checkout.place-order", basket(2, "MS-200", "-3", "XX-999", "1"), 422, "bad-quantity",
                "the quantity of MS-200 must be at least 1, not -3; there is no product XX-999 — catalog.list-products lists them");

        before.assertNothingChanged();
    }

    @Test
    void refusesAnItemWithoutASkuAtTheDoor() throws Exception {
        shop.refused("checkout.place-order", "{\"customerId\":2,\"items\":[{\"sku\":\" \",\"quantity\":1}]}", 400, "bad-input",
                "field 'items[0]': an item needs a sku, such as KB-100");
    }

    @Test
    void refusesADeclinedCardWith402AndPutsTheItemsBack() throws Exception {
        Before before = Before.now();

        shop.refused("checkout.place-order", basket(3, "MS-200", "2"), 402, "card-declined",
                "the card was declined — nothing was charged; pay with another card");

        before.assertNothingChanged();
        assertEquals(0, shop.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'alan@example.com'"));
    }

    @Test
    void concurrentCheckoutsNeverSellMoreThanIsInStock() throws Exception {
        int monitors = shop.stock("MN-400");
        int charged = shop.psp.charged();
        int buyers = 4 * monitors;

        List<ShopServer.Answer> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(buyers)) {
            List<Callable<ShopServer.Answer>> checkouts = new ArrayList<>();
            for (int i = 0; i < buyers; i++) {
                long customer = 1 + i % 2;
                checkouts.add(() -> shop.call("checkout.place-order", basket(customer, "MN-400", "1")));
            }
            for (Future<ShopServer.Answer> answer : pool.invokeAll(checkouts)) {
                answers.add(answer.get());
            }
        }

        List<ShopServer.Answer> placed = answers.stream().filter(a -> a.status() == 200).toList();
        List<ShopServer.Answer> refused = answers.stream().filter(a -> a.status() != 200).toList();
        assertEquals(monitors, placed.size(), answers::toString);
        // Whether verification or the reservation saw the stock gone, the answer is the same.
        refused.forEach(a -> {
            assertEquals(409, a.status(), a.body()::toString);
            assertEquals("out-of-stock", a.body().path("error").asText());
            assertEquals("not enough MN-400 in stock: 1 asked, 0 left", a.body().path("message").asText());
        });
        assertEquals(0, shop.stock("MN-400"));
        assertEquals(monitors, shop.count("SELECT COALESCE(SUM(quantity), 0) FROM order_lines WHERE sku = 'MN-400'"));
        assertEquals(charged + monitors, shop.psp.charged());
        assertEquals(0, shop.count("SELECT COUNT(*) FROM reservations"));
    }

    static List<String> fields(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
