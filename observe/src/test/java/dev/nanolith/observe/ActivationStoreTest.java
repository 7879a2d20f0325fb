package dev.nanolith.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nanolith.runtime.observe.Activation;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The store of activation records, the same on the embedded H2 and on a real PostgreSQL server. */
class ActivationStoreTest {

    private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");

    @TempDir
    static Path tmp;

    static PostgresServer postgres;
    static ActivationStore h2, pg;

    @BeforeAll
    static void open() throws Exception {
        postgres = PostgresServer.start();
        h2 = new ActivationStore(ActivationStore.Database.embedded(tmp));
        pg = new ActivationStore(new ActivationStore.Database(postgres.url(), postgres.user(), ""));
    }

    @AfterAll
    static void close() throws Exception {
        try (AutoCloseable server = postgres) {
            if (h2 != null) {
                h2.close();
            }
            if (pg != null) {
                pg.close();
            }
        }
    }

    /** Both stores; JUnit must not close them after each test, hence {@code autoCloseArguments = false}. */
    static Stream<ActivationStore> stores() {
        return Stream.of(h2, pg);
    }

    /** The store, emptied. */
    private static ActivationStore empty(ActivationStore store) throws SQLException {
        ActivationStore.Database db = store.database();
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password()); Statement s = c.createStatement()) {
            s.execute("delete from activations");
        }
        return store;
    }

    private static Activation record(String id, String function, Activation.Status status, Instant start, String trace, List<String> logs) {
        return new Activation(id, "shop", function, "r1", "storefront", "entry", true, "anonymous", trace, "", start, 1_500_000, 0, status, 120, 48,
                logs);
    }

    private static String trace(int n) {
        return String.format("%032x", n + 1);
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("stores")
    void findsRecordsByEachCriterionTheNewestFirstAndATraceInOrder(ActivationStore store) throws SQLException {
        empty(store).add(List.of(
                record("00000000000000a1", "checkout.place-order", Activation.Status.SUCCESS, NOW.minusSeconds(30), trace(1), List.of()),
                record("00000000000000a2", "payments.charge", Activation.Status.TIMEOUT, NOW.minusSeconds(20), trace(1), List.of()),
                record("00000000000000a3", "checkout.place-order", Activation.Status.FUNCTION_ERROR, NOW.minusSeconds(10), trace(2), List.of())));
        assertEquals(List.of("00000000000000a3", "00000000000000a2", "00000000000000a1"), ids(store, null, null, null, null));
        assertEquals(List.of("00000000000000a3", "00000000000000a1"), ids(store, "checkout.place-order", null, null, null));
        assertEquals(List.of("00000000000000a2"), ids(store, null, Activation.Status.TIMEOUT, null, null));
        assertEquals(List.of("00000000000000a3", "00000000000000a2"), ids(store, null, null, NOW.minusSeconds(25), null));
        assertEquals(List.of("00000000000000a1", "00000000000000a2"), ids(store, null, null, null, trace(1)));
        assertEquals(1, store.find(new ActivationStore.Query("shop", null, null, null, null, 1)).size());
        assertTrue(store.find(new ActivationStore.Query("other", null, null, null, null, 10)).isEmpty());
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("stores")
    void keepsEveryFieldAndTheLogLinesAsTheyWere(ActivationStore store) throws SQLException {
        List<String> logs = List.of("INFO charged 12,00 € for \"order 7\"", "WARNING a line\nin two");
        Activation written = new Activation("00000000000000b1", "shop", "payments.charge", "r7", "payments", "checkout.place-order", false,
                "key:ci", trace(3), "00000000000000a1", NOW, 42_123_456, 17_000_001, Activation.Status.DENIED, -1, -1, logs);
        empty(store).add(List.of(written));
        assertEquals(written, store.find("00000000000000b1").orElseThrow());
        assertTrue(store.find("00000000000000ff").isEmpty());
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("stores")
    void retainsTheNewestRecordsUpToTheCountAndNoneOlderThanTheAge(ActivationStore store) throws SQLException {
        List<Activation> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            // One a minute, the newest one minute ago.
            records.add(record(String.format("%016x", i + 1), "catalog.list", Activation.Status.SUCCESS, NOW.minus(Duration.ofMinutes(10 - i)),
                    trace(i), List.of()));
        }
        empty(store).add(records);
        assertEquals(4, store.retain(6, Duration.ofDays(1), NOW));
        assertEquals(List.of("000000000000000a", "0000000000000009", "0000000000000008", "0000000000000007", "0000000000000006",
                "0000000000000005"), ids(store, null, null, null, null));
        assertEquals(3, store.retain(100, Duration.ofMinutes(3).plusSeconds(30), NOW));
        assertEquals(List.of("000000000000000a", "0000000000000009", "0000000000000008"), ids(store, null, null, null, null));
    }

    private static List<String> ids(ActivationStore store, String function, Activation.Status status, Instant since, String trace)
            throws SQLException {
        return store.find(new ActivationStore.Query(null, function, status, since, trace, 100)).stream().map(Activation::id).toList();
    }
}
