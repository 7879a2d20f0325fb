package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nanolith.observe.PostgresServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A platform whose activation records go to a real PostgreSQL server, which a JDBC URL names. */
class PostgresRecordingTest {

    @TempDir
    static Path tmp;

    static PostgresServer postgres;
    static Platform platform;

    @BeforeAll
    static void start() throws Exception {
        postgres = PostgresServer.start();
        Path app = TestApp.in(tmp.resolve("pg"))
                .yaml("app: pg\n")
                .source("pg/Echo.java", """
                        package pg;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;

                        /** Logs its text, and returns it. */
                        public class Echo implements Nano<String, String> {
                            public String apply(String text, Ctx ctx) {
                                ctx.log().log(System.Logger.Level.INFO, "echo {0}", text);
                                return text;
                            }
                        }
                        """)
                .write();
        platform = Platform.start(Platform.Options.loopback(0).with(Map.of("NANOLITH_ACTIVATIONS_URL", postgres.url(),
                "NANOLITH_ACTIVATIONS_USER", postgres.user())));
        platform.deploy(app);
    }

    @AfterAll
    static void stop() throws Exception {
        try (AutoCloseable server = postgres) {
            if (platform != null) {
                platform.close();
            }
        }
    }

    @Test
    void aCallsRecordIsKeptInPostgresqlAndFoundThroughTheAdminApi() throws Exception {
        String trace = "0af7651916cd43dd8448eb211c80319c";
        Http http = new Http(platform.url());
        Http.Response r = http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/fn/pg.echo")).header("Content-Type", "application/json")
                .header("traceparent", "00-" + trace + "-b7ad6b7169203331-01").POST(HttpRequest.BodyPublishers.ofString("\"hello\"")));
        assertEquals(200, r.status(), r.body());
        Http.Response found = http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/activations?trace=" + trace))
                .header("Authorization", "Bearer " + platform.adminToken()).GET());
        assertEquals(200, found.status(), found.body());
        assertEquals("pg.echo", found.json().path("activations").path(0).path("function").asText(), found.body());
        try (Connection db = DriverManager.getConnection(postgres.url(), postgres.user(), "");
             PreparedStatement select = db.prepareStatement("select fn, status, logs from activations where trace_id = ?")) {
            select.setString(1, trace);
            try (ResultSet row = select.executeQuery()) {
                assertTrue(row.next(), "the record is in PostgreSQL");
                assertEquals("pg.echo", row.getString("fn"));
                assertEquals("success", row.getString("status"));
                assertEquals("[\"INFO echo hello\"]", row.getString("logs"));
            }
        }
    }

    @Test
    void aPlatformWhoseStoreCannotBeReachedDoesNotStartAndSaysWhichSettingToCheck() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Platform.start(Platform.Options.loopback(0)
                .with(Map.of("NANOLITH_ACTIVATIONS_URL", "jdbc:postgresql://127.0.0.1:1/none", "NANOLITH_ACTIVATIONS_USER", "nobody"))));
        assertTrue(e.getMessage().startsWith("the activation store at jdbc:postgresql://127.0.0.1:1/none cannot be opened: ")
                && e.getMessage().endsWith(" — check NANOLITH_ACTIVATIONS_URL, or leave it out for the embedded store"), e.getMessage());
        IllegalArgumentException notJdbc = assertThrows(IllegalArgumentException.class, () -> Platform.start(Platform.Options.loopback(0)
                .with(Map.of("NANOLITH_ACTIVATIONS_URL", "postgres://localhost/x"))));
        assertEquals("NANOLITH_ACTIVATIONS_URL: 'postgres://localhost/x' is not a JDBC URL — give one like jdbc:postgresql://HOST:5432/DATABASE",
                notJdbc.getMessage());
    }
}
