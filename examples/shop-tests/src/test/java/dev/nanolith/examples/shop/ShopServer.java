package dev.nanolith.examples.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nanolith.cli.GitClient;
import dev.nanolith.cli.Platform;
import dev.nanolith.examples.psp.PaymentSimulator;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.placement.Placement;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import org.h2.tools.Server;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shop deployed from its sources on a real platform, as {@code nanolith demo} runs it: a
 * simulated payment processor and a database of its own, called over HTTP on loopback.
 */
final class ShopServer implements AutoCloseable {

    /** The app under test, next to this module: Maven runs a module's tests in the module's directory. */
    static final Path APP = Path.of("../shop").toAbsolutePath().normalize();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern INVOCATIONS = Pattern.compile(
            "^nanolith_function_invocations_total\\{[^}]*function=\"([^\"]+)\"[^}]*} (\\S+)$", Pattern.MULTILINE);

    /** An HTTP answer: its status, its headers and its JSON body. */
    record Answer(int status, HttpHeaders headers, JsonNode body) {
    }

    final PaymentSimulator psp;
    final Platform platform;
    final String dbUrl;
    private final HttpClient http = HttpClient.newHttpClient();
    /** An API key that may call every function that is not internal, as the back office's would: the tests' calls send it. */
    private String key;

    private final Server db;
    private final Path dbDir;

    private ShopServer(PaymentSimulator psp, Platform platform, Server db, Path dbDir, String dbUrl) {
        this.db = db;
        this.dbDir = dbDir;
        this.psp = psp;
        this.platform = platform;
        this.dbUrl = dbUrl;
    }

    /** Starts a shop whose database is named {@code database} and fresh, with more settings if given. */
    static ShopServer start(String database, Map<String, String> more) throws LoadException, IOException, InterruptedException, SQLException {
        return start(database, more, Placement.Mode.MONOLITH);
    }

    /** Starts a shop as {@link #start(String, Map)} does, its functions placed by {@code placement}. */
    static ShopServer start(String database, Map<String, String> more, Placement.Mode placement)
            throws LoadException, IOException, InterruptedException, SQLException {
        return start(database, more, placement, null);
    }

    /**
     * Starts a shop as {@link #start(String, Map, Placement.Mode)} does; with {@code clone} not
     * null, the shop is not served from its directory but pushed, as its team would: copied to
     * {@code clone}, created on the platform and pushed to main with the real git client.
     */
    static ShopServer start(String database, Map<String, String> more, Placement.Mode placement, Path clone)
            throws LoadException, IOException, InterruptedException, SQLException {
        if (!Files.isRegularFile(APP.resolve("nanolith.yaml"))) {
            throw new IllegalStateException(APP + " is not the shop app — run the tests from examples/shop-tests, next to examples/shop");
        }
        // A database server on loopback, which the shop's worker and this test both reach, as production's would be.
        Path dbDir = Files.createTempDirectory("shop-db-");
        Server db = Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir", dbDir.toString()).start();
        String dbUrl = "jdbc:h2:tcp://127.0.0.1:" + db.getPort() + "/" + database + "-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        PaymentSimulator psp = PaymentSimulator.start("127.0.0.1", 0);
        Map<String, String> settings = new HashMap<>(Map.of("PSP_URL", psp.url(), "PSP_API_KEY", psp.apiKey(), "SHOP_DB_URL", dbUrl));
        settings.putAll(more);
        Platform platform = Platform.start(Platform.Options.loopback(0).with(settings).placed(placement));
        try {
            if (clone == null) {
                platform.deploy(APP);
            } else {
                push(platform, clone);
            }
        } catch (LoadException | IOException | RuntimeException | Error e) {
            platform.close();
            psp.close();
            stop(db, dbDir);
            throw e;
        }
        ShopServer shop = new ShopServer(psp, platform, db, dbDir, dbUrl);
        try {
            shop.key = shop.createKey("shop-tests", "*");
            // The shop creates its tables on first use; a look at the catalog makes them, changing nothing.
            shop.ok("catalog.list-products", null);
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            shop.close();
            throw e;
        }
        return shop;
    }

    /** Copies the shop's sources to {@code clone}, creates the app and pushes it to main; the push must deploy it. */
    private static void push(Platform platform, Path clone) throws IOException, InterruptedException {
        try (var files = Files.walk(APP)) {
            for (Path from : files.filter(p -> !APP.relativize(p).startsWith("target")).toList()) {
                Path to = clone.resolve(APP.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to);
                }
            }
        }
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps"))
                .header("Authorization", "Bearer " + platform.adminToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"shop\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created::body);
        GitClient git = new GitClient(clone);
        git.ok("init", "-q");
        git.ok("remote", "add", "origin", JSON.readTree(created.body()).path("remote").asText());
        GitClient.Result pushed = git.commitAndPush("The shop");
        assertTrue(pushed.ok() && pushed.output().contains("deployed shop r1"), pushed::output);
    }

    /** Calls the admin API: {@code method} on {@code path} (under {@code /admin}) with {@code json} (null: none). */
    Answer admin(String method, String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/admin" + path))
                .header("Authorization", "Bearer " + platform.adminToken()).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.headers(), JSON.readTree(response.body()));
    }

    /** Makes an API key through the admin API, as {@code ./nanolith keys create} does, and returns it. */
    String createKey(String name, String... scopes) throws IOException, InterruptedException {
        return createKey(platform, name, scopes);
    }

    /** Makes an API key on {@code platform} through its admin API, and returns it. */
    static String createKey(Platform platform, String name, String... scopes) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("name", name);
        Arrays.stream(scopes).forEach(body.putArray("scopes")::add);
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/keys"))
                .header("Authorization", "Bearer " + platform.adminToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created::body);
        return JSON.readTree(created.body()).path("key").asText();
    }

    /** Calls a function over HTTP with the tests' key; {@code json} null sends no body. */
    Answer call(String function, String json) throws IOException, InterruptedException {
        return call(function, json, key);
    }

    /** Calls a function over HTTP sending {@code key} (null: none); {@code json} null sends no body. */
    Answer call(String function, String json, String key) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(platform.url() + "/fn/" + function));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (json == null) {
            request.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.headers(), JSON.readTree(response.body()));
    }

    /** Calls a function that must answer 200 and returns its output. */
    JsonNode ok(String function, String json) throws IOException, InterruptedException {
        Answer answer = call(function, json);
        assertEquals(200, answer.status(), () -> function + " answered " + answer.body());
        return answer.body();
    }

    /** Calls a function that must refuse with exactly this status, code and message; returns the answer. */
    Answer refused(String function, String json, int status, String code, String message) throws IOException, InterruptedException {
        Answer answer = call(function, json);
        assertEquals(status, answer.status(), () -> function + " answered " + answer.body());
        assertEquals(code, answer.body().path("error").asText(), answer.body()::toString);
        assertEquals(message, answer.body().path("message").asText(), answer.body()::toString);
        return answer;
    }

    /** How many of a product are in stock. */
    int stock(String sku) throws SQLException {
        return (int) count("SELECT on_hand FROM stock WHERE sku = ?", sku);
    }

    /** Fills every product's stock, for traffic that would sell more than the shop holds. */
    void restock() throws SQLException {
        try (Connection db = DriverManager.getConnection(dbUrl); PreparedStatement update = db.prepareStatement("UPDATE stock SET on_hand = 1000000")) {
            update.executeUpdate();
        }
    }

    /** The single number a query gives. */
    long count(String sql, Object... params) throws SQLException {
        try (Connection db = DriverManager.getConnection(dbUrl); PreparedStatement query = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                query.setObject(i + 1, params[i]);
            }
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** The single text a query gives. */
    String text(String sql, Object... params) throws SQLException {
        try (Connection db = DriverManager.getConnection(dbUrl); PreparedStatement query = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                query.setObject(i + 1, params[i]);
            }
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }

    /** The sum of the series of {@code name} in {@code GET /metrics} whose labels include every one of {@code labels}. */
    double metric(String name, String... labels) throws IOException, InterruptedException {
        String text = http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        Matcher series = Pattern.compile("^" + name + "\\{([^}]*)} (\\S+)$", Pattern.MULTILINE).matcher(text);
        while (series.find()) {
            String found = series.group(1);
            if (Arrays.stream(labels).allMatch(found::contains)) {
                sum += Double.parseDouble(series.group(2));
            }
        }
        return sum;
    }

    /** Every function's invocation count, as {@code GET /metrics} shows it. */
    Map<String, Long> invocations() throws IOException, InterruptedException {
        String text = http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Long> counts = new HashMap<>();
        Matcher m = INVOCATIONS.matcher(text);
        while (m.find()) {
            counts.put(m.group(1), (long) Double.parseDouble(m.group(2)));
        }
        return counts;
    }

    @Override
    public void close() throws SQLException {
        platform.close();
        psp.close();
        try (Connection connection = DriverManager.getConnection(dbUrl)) {
            connection.createStatement().execute("SHUTDOWN");
        } finally {
            stop(db, dbDir);
        }
    }

    /** Stops the database server and removes its files. */
    private static void stop(Server db, Path dir) {
        db.stop();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("the database's files in " + dir + " were not all removed: " + e.getMessage());
        }
    }
}
