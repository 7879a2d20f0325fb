package dev.nanolith.examples.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nanolith.cli.Platform;
import dev.nanolith.examples.psp.PaymentSimulator;
import dev.nanolith.runtime.placement.Placement;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same shop, unchanged and not rebuilt, as one process, as three services in processes of
 * their own and as one process per function: the same requests get the same answers, and a
 * killed service is restarted while the others keep serving, and its callers wait for it.
 */
class PlacementTest {

    /** Requests that touch every service: the catalog, a checkout, a refusal, a whole order, reports. */
    static final List<String[]> SCENARIO = List.of(
            new String[] {"catalog.list-products", ""},
            new String[] {"checkout.place-order", "{\"customerId\":2,\"items\":[{\"sku\":\"KB-100\",\"quantity\":1},{\"sku\":\"CB-300\",\"quantity\":2}]}"},
            new String[] {"checkout.place-order", "{\"customerId\":2,\"items\":[{\"sku\":\"HP-500\",\"quantity\":1}]}"},
            new String[] {"checkout.place-order", "{\"customerId\":3,\"items\":[{\"sku\":\"MS-200\",\"quantity\":1}]}"},
            new String[] {"orders.create-order", "{\"token\":\"tk_ada_4d3f\",\"items\":[{\"sku\":\"MN-400\",\"quantity\":1}],"
                    + "\"shipTo\":{\"name\":\"Ada Lovelace\",\"street\":\"Herengracht 1\",\"postcode\":\"1015 BA\",\"city\":\"Amsterdam\",\"country\":\"NL\"}}"},
            new String[] {"orders.get-order", "{\"orderId\":1002}"},
            new String[] {"orders.get-order", "{\"orderId\":999}"},
            new String[] {"reporting.sales-summary", ""},
            new String[] {"notification.list-outbox", ""});

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** The back office's key on the platform under test: the reports need one. */
    String key;

    @TempDir
    Path tmp;

    @Test
    void everyPlacementAnswersAlikeAndAKilledServiceComesBack() throws Exception {
        List<String> monolith = run(Placement.Mode.MONOLITH, "mono", (platform, psp) -> { });
        List<String> services = run(Placement.Mode.SERVICES, "services", (platform, psp) -> {
            assertEquals(List.of("back-office", "payments", "storefront"), List.copyOf(platform.servicePids().keySet()));
            // A failure two processes away (gateway, storefront, payments) is reported as the monolith reports it: under its own name.
            // The processor rejects the charge's request, which the charge reports as a failure: the charge is idempotent, and the
            // checkout makes it three times before it fails.
            psp.behave(new PaymentSimulator.Behaviour("reject", 0, 1, 3));
            String failed = answer(platform, "checkout.place-order", "{\"customerId\":2,\"items\":[{\"sku\":\"MS-200\",\"quantity\":1}]}");
            assertTrue(failed.matches("500 \\{\"error\":\"function-failed\",\"message\":\"'payments.charge' failed \\(error id e-[0-9a-f]+\\)\".*"), failed);
            ProcessHandle payments = ProcessHandle.of(platform.servicePids().get("payments")).orElseThrow();
            payments.destroyForcibly();
            payments.onExit().join();
            // The payment functions are internal and idempotent: the checkout, which calls them, waits for their service to be
            // started again, within its deadline, and is served as if nothing had happened.
            String checkout = "{\"customerId\":2,\"items\":[{\"sku\":\"MS-200\",\"quantity\":1}]}";
            String served = answer(platform, "checkout.place-order", checkout);
            assertTrue(served.startsWith("200 "), "the checkout waited for the killed service: " + served);
            assertTrue(answer(platform, "catalog.list-products", "").startsWith("200 "), "the other services keep serving");
            assertTrue(platform.servicePids().get("payments") != payments.pid(), "the killed service was started again");
        });
        assertEquals(monolith, services);
        List<String> nano = run(Placement.Mode.NANO, "nano", (platform, psp) -> assertEquals(22, platform.servicePids().size()));
        assertEquals(monolith, nano);
    }

    /** Starts the shop in one placement, runs the scenario, runs {@code more}, and returns the answers. */
    List<String> run(Placement.Mode mode, String name, PlatformCheck more) throws Exception {
        // Workers see no file of the machine's but their own: the services share a database server on loopback.
        Server database = Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir", tmp.toString()).start();
        try (PaymentSimulator psp = PaymentSimulator.start("127.0.0.1", 0);
             Platform platform = Platform.start(Platform.Options.loopback(0).placed(mode).with(Map.of("PSP_URL", psp.url(),
                     "PSP_API_KEY", psp.apiKey(), "SHOP_DB_URL", "jdbc:h2:tcp://127.0.0.1:" + database.getPort() + "/" + name + ";DB_CLOSE_DELAY=-1",
                     // Latency is not what this test compares: processes that have just started are slow on a small machine.
                     "SHOP_ORDER_TIMEOUT", "60s", "SHOP_CHECKOUT_TIMEOUT", "60s", "SHOP_PAYMENT_TIMEOUT", "30s")))) {
            platform.deploy(ShopServer.APP);
            key = ShopServer.createKey(platform, "back-office", "reporting.*", "notification.*");
            List<String> answers = new ArrayList<>();
            for (String[] request : SCENARIO) {
                answers.add(request[0] + " -> " + answer(platform, request[0], request[1]));
            }
            more.check(platform, psp);
            return answers;
        } finally {
            database.stop();
        }
    }

    String answer(Platform platform, String function, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(platform.url() + "/fn/" + function)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key);
        request = json.isEmpty() ? request.POST(HttpRequest.BodyPublishers.noBody())
                : request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    @FunctionalInterface
    interface PlatformCheck {
        void check(Platform platform, PaymentSimulator psp) throws Exception;
    }
}
