package dev.nanolith.examples.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nanolith.cli.GitClient;
import dev.nanolith.runtime.placement.Placement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shop pushed and served as one process per function — the nano-service anti-pattern — and
 * driven with create-order and checkout traffic: the audit shows the anti-pattern with its
 * evidence, the plan proposes right-sized services and predicts the effect, {@code plan --apply}
 * deploys them with no code change and the measured effect matches the prediction; a rollback
 * returns to one process per function.
 */
class RightSizingTest {

    static final String ORDER = "{\"token\":\"tk_ada_4d3f\",\"items\":[{\"sku\":\"CB-300\",\"quantity\":1}],"
            + "\"shipTo\":{\"name\":\"Ada Lovelace\",\"street\":\"Herengracht 1\",\"postcode\":\"1015 BA\",\"city\":\"Amsterdam\",\"country\":\"NL\"}}";
    static final String CHECKOUT = "{\"customerId\":2,\"items\":[{\"sku\":\"KB-100\",\"quantity\":1}]}";
    /** Operations per measured round, and how many run at once: the shop's traffic, as a few users make it. */
    static final int OPERATIONS = 200, CONCURRENCY = 4;
    /** How long each placement is warmed up before its measured round: the same time for both, as a placement serves in production. */
    static final Duration WARM_UP = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    @Test
    void auditsTheShopAsNanoPlansRightSizedServicesAppliesThemAndRollsBack() throws Exception {
        Path clone = Files.createDirectories(tmp.resolve("shop"));
        try (ShopServer shop = ShopServer.start("sizing", Map.of("SHOP_ORDER_TIMEOUT", "30s", "SHOP_CHECKOUT_TIMEOUT", "30s"),
                Placement.Mode.NANO, clone)) {
            assertEquals(22, shop.platform.servicePids().size());
            Round nano = drive(shop);

            JsonNode audit = shop.admin("GET", "/apps/shop/audit?since=" + nano.since(), null).body();
            JsonNode createOrder = operation(audit, "orders.create-order");
            assertTrue(createOrder.path("remoteHops").asInt() >= 10, createOrder::toString);
            assertTrue(createOrder.path("between").asDouble() > 0, "the time between processes is measured: " + createOrder);
            JsonNode cpu = audit.path("cpu");
            assertEquals(22, cpu.path("services").size(), "each worker's CPU is measured: " + cpu);
            assertTrue(cpu.path("workers").asDouble() > 0 && cpu.path("host").asDouble() >= cpu.path("workers").asDouble(), cpu::toString);
            List<String> kinds = new ArrayList<>();
            audit.path("findings").forEach(f -> kinds.add(f.path("kind").asText() + " " + f.path("subject").asText()));
            assertTrue(kinds.contains("many-hops orders.create-order"), kinds::toString);
            assertTrue(kinds.contains("many-dependencies orders.create-order"), kinds::toString);
            assertTrue(kinds.contains("single-caller payments.charge"), kinds::toString);
            assertTrue(kinds.contains("utility-service validation.validate-order"), kinds::toString);
            assertTrue(kinds.contains("utility-service notification.send-order-confirmation"), kinds::toString);

            JsonNode plan = shop.admin("GET", "/apps/shop/plan?since=" + nano.since(), null).body();
            assertFalse(plan.path("steps").isEmpty(), plan::toString);
            JsonNode predicted = prediction(plan, "orders.create-order");
            assertTrue(predicted.path("predictedHops").asInt() < predicted.path("hops").asInt(), predicted::toString);
            assertTrue(plan.path("callers").path("payments.charge").toString().equals("[\"checkout.place-order\"]"), plan.path("callers")::toString);

            ShopServer.Answer applied = shop.admin("POST", "/apps/shop/plan?since=" + nano.since(), "");
            assertEquals(200, applied.status(), applied.body()::toString);
            assertEquals("r2", applied.body().path("current").asText(), applied.body()::toString);
            assertTrue(shop.platform.serving("shop").orElseThrow().services().size() < 22, shop.platform.servicePids()::toString);

            Round planned = drive(shop);
            JsonNode after = shop.admin("GET", "/apps/shop/audit?since=" + planned.since(), null).body();
            JsonNode measured = operation(after, "orders.create-order");
            double before = createOrder.path("millis").asDouble();
            double now = measured.path("millis").asDouble();
            double expected = measured.path("predicted").asDouble();
            System.out.printf("create-order p50: nano %.2f ms, planned %.2f ms (predicted %.2f ms); client side %.2f and %.2f ms;"
                    + " workers' CPU %.2f and %.2f cores, the host's %.2f and %.2f%n", before, now, expected, nano.clientMillis(), planned.clientMillis(),
                    cpu.path("workers").asDouble(), after.path("cpu").path("workers").asDouble(), cpu.path("host").asDouble(),
                    after.path("cpu").path("host").asDouble());
            assertEquals(predicted.path("predictedMillis").asDouble(), expected, 1e-9, "the audit shows the plan's prediction");
            // The model counts what the calls between processes cost; what 22 processes sharing two cores cost besides is gained too.
            assertTrue(now <= 1.2 * expected, "no slower than predicted, within 20%: " + now + " vs " + expected);
            // 6–8× on 2 cores after 20 s each, but 4.3× once in a loaded run: three times is what the test holds it to.
            assertTrue(before >= 3 * now, "at least three times as fast as nano: " + before + " vs " + now);

            GitClient git = new GitClient(clone);
            git.ok("fetch", "-q", "origin", "nanolith/plan");
            String proposed = git.ok("show", "FETCH_HEAD:nanolith.yaml");
            assertTrue(proposed.contains("services:\n"), proposed);
            assertTrue(git.ok("log", "-1", "--format=%an %s", "FETCH_HEAD").startsWith("Nanolith Place shop's functions as r2"), proposed);

            ShopServer.Answer back = shop.admin("POST", "/apps/shop/rollback", "{\"revision\":\"r1\"}");
            assertEquals(200, back.status(), back.body()::toString);
            assertEquals(22, shop.platform.serving("shop").orElseThrow().services().size(), "nano serves again");
            // The planned revision's worker stops once its calls in flight have ended.
            for (int i = 0; i < 200 && shop.platform.servicePids().size() != 22; i++) {
                Thread.sleep(50);
            }
            assertEquals(22, shop.platform.servicePids().size(), shop.platform.servicePids()::toString);
            shop.ok("orders.create-order", ORDER);
        }
    }

    /** A measured round of traffic: when it started, and its create-orders' median in ms, as the client saw them. */
    record Round(Instant since, double clientMillis) {
    }

    /** Create-orders and checkouts: rounds for {@link #WARM_UP}, then a measured one. */
    private static Round drive(ShopServer shop) throws Exception {
        Instant warm = Instant.now().plus(WARM_UP);
        do {
            round(shop);
        } while (Instant.now().isBefore(warm));
        Instant since = Instant.now();
        long[] latencies = round(shop);
        // The collector takes the workers' records four times a second.
        Thread.sleep(1500);
        Arrays.sort(latencies);
        return new Round(since, latencies[latencies.length / 2] / 1e6);
    }

    private static long[] round(ShopServer shop) throws Exception {
        shop.restock();
        List<Future<Long>> calls = new ArrayList<>();
        try (ExecutorService users = Executors.newFixedThreadPool(CONCURRENCY)) {
            for (int i = 0; i < OPERATIONS; i++) {
                boolean order = i % 3 != 2;
                calls.add(users.submit(() -> {
                    long start = System.nanoTime();
                    ShopServer.Answer answer = order ? shop.call("orders.create-order", ORDER) : shop.call("checkout.place-order", CHECKOUT);
                    assertEquals(200, answer.status(), answer.body()::toString);
                    return order ? System.nanoTime() - start : -1L;
                }));
            }
        }
        List<Long> orders = new ArrayList<>();
        for (Future<Long> call : calls) {
            if (call.get() >= 0) {
                orders.add(call.get());
            }
        }
        return orders.stream().mapToLong(Long::longValue).toArray();
    }

    private static JsonNode operation(JsonNode audit, String entry) {
        for (JsonNode op : audit.path("operations")) {
            if (op.path("entry").asText().equals(entry)) {
                return op;
            }
        }
        throw new AssertionError("no operation " + entry + " in " + audit);
    }

    private static JsonNode prediction(JsonNode plan, String entry) {
        for (JsonNode op : plan.path("operations")) {
            if (op.path("entry").asText().equals(entry)) {
                return op;
            }
        }
        throw new AssertionError("no operation " + entry + " in " + plan);
    }
}
