package dev.nanolith.observe;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.nanolith.runtime.observe.Activation;
import dev.nanolith.runtime.observe.Activations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The activation records of every app, in a relational database: H2 in the data directory by
 * default, or the server a JDBC URL names (PostgreSQL is tested). Records are written in batches,
 * by one thread; reads share one connection of their own. Retention deletes the oldest records past
 * a count, and every record past an age.
 */
public final class ActivationStore implements AutoCloseable {

    /** Where, and as whom, the records are kept. */
    public record Database(String url, String user, String password) {

        /** The embedded H2 database in {@code dataDir}'s {@code activations} folder. */
        public static Database embedded(Path dataDir) {
            // Closed by the platform, after its last records: not by H2's own shutdown hook, which would race it.
            return new Database("jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("activations").resolve("activations")
                    + ";DB_CLOSE_ON_EXIT=FALSE", "", "");
        }

        /** Names the URL, never the password. */
        @Override
        public String toString() {
            return url;
        }
    }

    /**
     * Which records a search wants: each criterion that is not null must hold.
     *
     * @param since a record that started before it is not wanted
     * @param trace a 32-digit trace id
     * @param limit how many records at most
     */
    public record Query(String app, String function, Activation.Status status, Instant since, String trace, int limit) {
    }

    private static final String COLUMNS = "id, app, fn, revision, service, caller, remote, principal, trace_id, parent_id, start_micros, "
            + "duration_nanos, remote_nanos, status, bytes_in, bytes_out, logs";

    private final Database database;
    private final Connection writes;
    private final Connection reads;

    /**
     * Opens the database and makes its table and indexes where they are missing.
     *
     * @throws SQLException naming the database when it cannot be reached
     */
    public ActivationStore(Database database) throws SQLException {
        this.database = database;
        this.writes = connect();
        this.reads = connect();
        try (Statement ddl = writes.createStatement()) {
            // Portable SQL: H2 and PostgreSQL alike. The start is kept in microseconds since the epoch, a plain number in both.
            ddl.execute("create table if not exists activations (id varchar(16) not null, app varchar(200) not null, fn varchar(200) not null, "
                    + "revision varchar(100) not null, service varchar(200) not null, caller varchar(200) not null, remote boolean not null, "
                    + "principal varchar(500) not null, trace_id varchar(32) not null, parent_id varchar(16) not null, "
                    + "start_micros bigint not null, duration_nanos bigint not null, status varchar(20) not null, bytes_in integer not null, "
                    + "bytes_out integer not null, logs varchar not null)");
            // Added after the table's first release: a store made before it gains the column, its old rows 0.
            ddl.execute("alter table activations add column if not exists remote_nanos bigint default 0 not null");
            // Two indexes only: each costs every insert, and one keyed by random ids (as the trace's is) costs most. Searches
            // go newest first along the start; a trace is looked up whole; one record by id is the rare search that reads them all.
            ddl.execute("create index if not exists activations_start on activations (start_micros)");
            ddl.execute("create index if not exists activations_trace on activations (trace_id)");
        }
        writes.setAutoCommit(false);
    }

    private Connection connect() throws SQLException {
        try {
            return DriverManager.getConnection(database.url(), database.user(), database.password());
        } catch (SQLException e) {
            throw new SQLException("the activation store at " + database + " cannot be opened: " + e.getMessage(), e.getSQLState(), e);
        }
    }

    /** Where the records are kept. */
    public Database database() {
        return database;
    }

    /**
     * Keeps {@code records}, in one transaction; when it fails, one by one, so that a record the
     * database refuses costs only itself.
     *
     * @return how many were kept
     * @throws SQLException when none could be
     */
    public synchronized int add(List<Activation> records) throws SQLException {
        if (records.isEmpty()) {
            return 0;
        }
        try {
            insert(records);
            return records.size();
        } catch (SQLException batch) {
            int kept = 0;
            for (Activation record : records) {
                try {
                    insert(List.of(record));
                    kept++;
                } catch (SQLException alone) {
                    batch.addSuppressed(alone);
                }
            }
            if (kept == 0) {
                throw batch;
            }
            return kept;
        }
    }

    private void insert(List<Activation> records) throws SQLException {
        try (PreparedStatement insert = writes.prepareStatement("insert into activations (" + COLUMNS + ") values "
                + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Activation a : records) {
                int i = 0;
                insert.setString(++i, a.id());
                insert.setString(++i, a.app());
                insert.setString(++i, a.function());
                insert.setString(++i, a.revision());
                insert.setString(++i, a.service());
                insert.setString(++i, a.caller());
                insert.setBoolean(++i, a.remote());
                insert.setString(++i, text(a.principal(), 500));
                insert.setString(++i, a.traceId());
                insert.setString(++i, a.parentId());
                insert.setLong(++i, micros(a.start()));
                insert.setLong(++i, a.durationNanos());
                insert.setLong(++i, a.remoteNanos());
                insert.setString(++i, a.status().word());
                insert.setInt(++i, a.bytesIn());
                insert.setInt(++i, a.bytesOut());
                insert.setString(++i, Activations.JSON.writeValueAsString(a.logs()));
                insert.addBatch();
            }
            insert.executeBatch();
            writes.commit();
        } catch (SQLException | IOException e) {
            writes.rollback();
            throw e instanceof SQLException sql ? sql : new SQLException("activation records cannot be written: " + e.getMessage(), e);
        }
    }

    /** {@code value} as a column of {@code max} characters takes it: cut, without NUL, which PostgreSQL's text refuses. */
    private static String text(String value, int max) {
        String clean = value.replace('\u0000', ' ');
        return clean.length() <= max ? clean : clean.substring(0, max);
    }

    /** The records {@code query} wants: the newest first, or for a trace in the order they started. */
    public List<Activation> find(Query query) throws SQLException {
        StringBuilder sql = new StringBuilder("select " + COLUMNS + " from activations where 1 = 1");
        List<Object> values = new ArrayList<>();
        where(sql, values, "app", query.app());
        where(sql, values, "fn", query.function());
        where(sql, values, "status", query.status() == null ? null : query.status().word());
        where(sql, values, "trace_id", query.trace());
        if (query.since() != null) {
            sql.append(" and start_micros >= ?");
            values.add(micros(query.since()));
        }
        // An operation is read in order, its entry first, whatever the limit cuts; every other search newest first.
        sql.append(" order by start_micros ").append(query.trace() == null ? "desc" : "asc").append(" fetch first ").append(query.limit())
                .append(" rows only");
        return select(sql.toString(), values);
    }

    /** The record of the call whose span id is {@code id}. */
    public Optional<Activation> find(String id) throws SQLException {
        return select("select " + COLUMNS + " from activations where id = ? fetch first 1 rows only", List.of(id)).stream().findFirst();
    }

    private static void where(StringBuilder sql, List<Object> values, String column, String value) {
        if (value != null) {
            sql.append(" and ").append(column).append(" = ?");
            values.add(value);
        }
    }

    private List<Activation> select(String sql, List<Object> values) throws SQLException {
        // Searches take turns on their own connection, and never wait for a write.
        synchronized (reads) {
            return select(reads, sql, values);
        }
    }

    private static List<Activation> select(Connection reads, String sql, List<Object> values) throws SQLException {
        try (PreparedStatement select = reads.prepareStatement(sql)) {
            for (int i = 0; i < values.size(); i++) {
                select.setObject(i + 1, values.get(i));
            }
            List<Activation> found = new ArrayList<>();
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    found.add(activation(row));
                }
            }
            return found;
        }
    }

    private static Activation activation(ResultSet row) throws SQLException {
        List<String> logs;
        try {
            logs = Activations.JSON.readValue(row.getString("logs"), new TypeReference<List<String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long micros = row.getLong("start_micros");
        return new Activation(row.getString("id"), row.getString("app"), row.getString("fn"), row.getString("revision"),
                row.getString("service"), row.getString("caller"), row.getBoolean("remote"), row.getString("principal"),
                row.getString("trace_id"), row.getString("parent_id"), Instant.EPOCH.plus(micros, ChronoUnit.MICROS),
                row.getLong("duration_nanos"), row.getLong("remote_nanos"), Activation.Status.of(row.getString("status")), row.getInt("bytes_in"), row.getInt("bytes_out"), logs);
    }

    /**
     * Deletes every record older than {@code maxAge}, and the oldest past the {@code maxCount}
     * newest; returns how many went.
     */
    public synchronized int retain(long maxCount, Duration maxAge, Instant now) throws SQLException {
        try {
            int deleted = deleteOld(maxCount, maxAge, now);
            writes.commit();
            return deleted;
        } catch (SQLException e) {
            // A failed statement leaves PostgreSQL's transaction aborted: the next batch must not inherit it.
            writes.rollback();
            throw e;
        }
    }

    private int deleteOld(long maxCount, Duration maxAge, Instant now) throws SQLException {
        int deleted;
        try (PreparedStatement old = writes.prepareStatement("delete from activations where start_micros < ?")) {
            old.setLong(1, micros(now.minus(maxAge)));
            deleted = old.executeUpdate();
        }
        long oldestKept = -1;
        try (PreparedStatement nth = writes.prepareStatement("select start_micros from activations order by start_micros desc offset ? rows "
                + "fetch first 1 rows only")) {
            nth.setLong(1, maxCount - 1);
            try (ResultSet row = nth.executeQuery()) {
                if (row.next()) {
                    oldestKept = row.getLong(1);
                }
            }
        }
        if (oldestKept >= 0) {
            try (PreparedStatement over = writes.prepareStatement("delete from activations where start_micros < ?")) {
                over.setLong(1, oldestKept);
                deleted += over.executeUpdate();
            }
        }
        return deleted;
    }

    private static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    @Override
    public synchronized void close() throws SQLException {
        try (reads; writes) {
            writes.commit();
        }
    }
}
