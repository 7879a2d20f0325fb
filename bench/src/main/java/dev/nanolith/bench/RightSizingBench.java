package dev.nanolith.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanolith.cli.Platform;
import dev.nanolith.examples.psp.PaymentSimulator;
import dev.nanolith.runtime.placement.Placement;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import org.h2.tools.Server;

/**
 * The anti-pattern guard, measured: the shop pushed and served as one process per function, its
 * create-order driven at a fixed concurrency; its plan from that traffic, applied with no code
 * change; the same load again. Prints create-order's median before (the baseline, measured in
 * the same run), after and as predicted, and the ratios.
 * Usage: {@code RightSizingBench SHOP_DIR [seconds per round] [concurrency]}.
 */
public final class RightSizingBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RightSizingBench() {
    }

    public static void main(String[] args) throws Exception {
        Path shop = Path.of(args[0]).toAbsolutePath().normalize();
        Duration round = Duration.ofSeconds(args.length > 1 ? Integer.parseInt(args[1]) : 20);
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Path work = Files.createTempDirectory("nanolith-rightsizing-");
        Server database = Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir", work.resolve("db").toString()).start();
        String dbUrl = "jdbc:h2:tcp://127.0.0.1:" + database.getPort() + "/shop;DB_CLOSE_DELAY=-1";
        try (PaymentSimulator psp = PaymentSimulator.start("127.0.0.1", 0);
             Platform platform = Platform.start(Platform.Options.loopback(0).withData(work.resolve("data")).placed(Placement.Mode.NANO)
                     .with(Map.of("PSP_URL", psp.url(), "PSP_API_KEY", psp.apiKey(), "SHOP_DB_URL", dbUrl, "SHOP_ORDER_TIMEOUT", "60s", "SHOP_CHECKOUT_TIMEOUT", "60s")))) {
            System.err.println("bench: pushing the shop, placed as one process per function");
            push(platform, shop, work.resolve("shop"));
            Instant nano = drive(platform, dbUrl, round, concurrency);
            int processes = platform.serving("shop").orElseThrow().services().size();
            JsonNode audited = admin(platform, "GET", "/apps/shop/audit?since=" + nano);
            JsonNode before = operation(audited);
            JsonNode plan = admin(platform, "GET", "/apps/shop/plan?since=" + nano);
            System.err.println("bench: applying the plan's " + plan.path("steps").size() + " steps");
            JsonNode applied = admin(platform, "POST", "/apps/shop/plan?since=" + nano);
            applied.path("lines").forEach(line -> System.err.println(line.asText()));
            Instant planned = drive(platform, dbUrl, round, concurrency);
            JsonNode auditedAfter = admin(platform, "GET", "/apps/shop/audit?since=" + planned);
            JsonNode after = operation(auditedAfter);
            print(plan, before, after, processes, platform.serving("shop").orElseThrow().services().size(), round, concurrency);
            cpu("one process per function", audited);
            cpu("planned", auditedAfter);
        } finally {
            database.stop();
            delete(work);
        }
    }

    /** Creates the app, commits the shop's sources in {@code clone} and pushes them to main with the git client. */
    private static void push(Platform platform, Path shop, Path clone) throws Exception {
        JsonNode created = admin(platform, "POST", "/apps", "{\"name\":\"shop\"}");
        try (var files = Files.walk(shop)) {
            for (Path from : files.filter(p -> !shop.relativize(p).startsWith("target")).toList()) {
                Path to = clone.resolve(shop.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to);
                }
            }
        }
        git(clone, "init", "-q", "-b", "main");
        git(clone, "add", "-A");
        git(clone, "-c", "user.name=Bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", "The shop");
        git(clone, "push", "-q", created.path("remote").asText(), "main");
        if (platform.serving("shop").isEmpty()) {
            throw new IllegalStateException("the push did not deploy the shop: see the log above");
        }
    }

    /** Deletes {@code dir} and what is in it; files that vanish meanwhile (a stopping worker's) are no matter. */
    private static void delete(Path dir) throws java.io.IOException {
        for (int attempt = 0; attempt < 3 && Files.exists(dir); attempt++) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.UncheckedIOException e) {
                // walked into a folder that was removed meanwhile: once more
            }
        }
    }

    /** Runs the git client in {@code dir}; its output goes to this process's. */
    private static void git(Path dir, String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("git"));
        command.addAll(java.util.List.of(args));
        int exit = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("git " + String.join(" ", args) + " ended with " + exit);
        }
    }

    /** A warm-up round and a measured one of create-orders; returns when the measured one started. */
    private static Instant drive(Platform platform, String dbUrl, Duration round, int concurrency) throws Exception {
        String url = platform.url() + "/fn/orders.create-order";
        for (String name : new String[] {"warm-up", "measured"}) {
            try (Connection db = DriverManager.getConnection(dbUrl)) {
                db.createStatement().executeUpdate("UPDATE stock SET on_hand = 1000000000");
            }
            Instant start = Instant.now();
            System.err.println("bench: " + name + " round, " + round.toSeconds() + " s at " + concurrency);
            GranularityBench.load(url, round, concurrency);
            // The collector takes the workers' records four times a second.
            Thread.sleep(1500);
            if (name.equals("measured")) {
                return start;
            }
        }
        throw new AssertionError();
    }

    /** The CPU the audit measured over the traffic it read: the app's workers', the control plane's and the host's. */
    private static void cpu(String placement, JsonNode audit) {
        JsonNode cpu = audit.path("cpu");
        int operations = operation(audit).path("traces").asInt();
        System.out.printf("%-26s CPU: workers %.2f, control plane and load %.2f, host %.2f of %d cores; %.1f ms of the host's CPU an operation%n",
                placement, cpu.path("workers").asDouble(), cpu.path("platform").asDouble(), cpu.path("host").asDouble(), cpu.path("cores").asInt(),
                1000 * cpu.path("host").asDouble() * cpu.path("seconds").asDouble() / Math.max(1, operations));
    }

    private static JsonNode operation(JsonNode audit) {
        for (JsonNode op : audit.path("operations")) {
            if (op.path("entry").asText().equals("orders.create-order")) {
                return op;
            }
        }
        throw new IllegalStateException("no create-order in the audit: " + audit);
    }

    private static int predictedHops(JsonNode plan) {
        for (JsonNode op : plan.path("operations")) {
            if (op.path("entry").asText().equals("orders.create-order")) {
                return op.path("predictedHops").asInt();
            }
        }
        return -1;
    }

    private static JsonNode admin(Platform platform, String method, String path) throws Exception {
        return admin(platform, method, path, "");
    }

    private static JsonNode admin(Platform platform, String method, String path, String body) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(platform.url() + "/admin" + path))
                .header("Authorization", "Bearer " + platform.adminToken()).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private static void print(JsonNode plan, JsonNode before, JsonNode after, int processes, int services, Duration round, int concurrency) {
        double nano = before.path("millis").asDouble(), now = after.path("millis").asDouble(), predicted = after.path("predicted").asDouble();
        System.out.printf("%nThe shop's create-order, %d s a round at %d concurrent requests, medians of the activation records%n%n", round.toSeconds(),
                concurrency);
        System.out.printf("%-34s %10s %8s %14s %10s%n", "placement", "p50 ms", "hops", "between procs", "processes");
        System.out.printf("%-34s %10.2f %8d %13.0f%% %10d%n", "one process per function (baseline)", nano, before.path("remoteHops").asInt(),
                100 * before.path("between").asDouble(), processes);
        System.out.printf("%-34s %10.2f %8d %14s %10d%n", "planned (" + plan.path("steps").size() + " steps), predicted", predicted,
                predictedHops(plan), "-", services);
        System.out.printf("%-34s %10.2f %8d %13.0f%% %10d%n", "planned, measured", now, after.path("remoteHops").asInt(),
                100 * after.path("between").asDouble(), services);
        System.out.printf("%nbaseline / planned: %.2fx faster; measured / predicted: %.2f (the model: %s)%n", nano / now, now / predicted,
                plan.path("model").path("hopMicros").asDouble() > 0 ? String.format("a hop costs %.0f µs, measured", plan.path("model").path("hopMicros").asDouble())
                        : "no hop measured");
    }
}
