package dev.nanolith.observe;

import dev.nanolith.gateway.Requests;
import dev.nanolith.gateway.Responses;
import dev.nanolith.runtime.config.Durations;
import dev.nanolith.runtime.observe.Activation;
import dev.nanolith.runtime.observe.Activations;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The admin API's activation records: {@code GET /activations?app=&function=&status=&since=&trace=&limit=}
 * answers {@code {"activations": [...]}}, the newest first (a trace's in the order they started), and
 * {@code GET /activations/{id}} one record. {@code since} is an instant (ISO 8601,
 * {@code 2026-11-30T10:00:00Z}) or a duration back from now ({@code 15m}); {@code limit} is 1 to
 * {@value #MAX_LIMIT}, {@value #DEFAULT_LIMIT} by default; an empty parameter is no criterion.
 * Each search first takes what the workers hold, so a call that has ended is found. The dashboard
 * searches through it too.
 */
public final class ActivationsApi {

    static final int DEFAULT_LIMIT = 50, MAX_LIMIT = 1_000;
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}"), SPAN_ID = Pattern.compile("[0-9a-f]{16}");

    private final ActivationStore store;
    private final Collector collector;
    private final Clock clock;

    /** @param collector asked to take what the workers hold before each search */
    public ActivationsApi(ActivationStore store, Collector collector, Clock clock) {
        this.store = store;
        this.collector = collector;
        this.clock = clock;
    }

    /**
     * The records a search's parameters ask for.
     *
     * @throws IllegalArgumentException naming the parameter that is not valid
     */
    public List<Activation> search(Parameters query) throws SQLException {
        Requests.requireKnown(query, "app", "function", "status", "since", "trace", "limit");
        String trace = given(query, "trace");
        if (trace != null) {
            traceId(trace);
        }
        String status = given(query, "status"), since = given(query, "since"), limit = given(query, "limit");
        collector.collect();
        return store.find(new ActivationStore.Query(given(query, "app"), given(query, "function"), status == null ? null : Activation.Status.of(status),
                since == null ? null : since(since), trace, limit == null ? DEFAULT_LIMIT : limit(limit)));
    }

    /** A parameter's value, stripped; null when it is missing or empty, as a form's unfilled field is. */
    private static String given(Parameters query, String name) {
        String value = query.first(name).orElse("").strip();
        return value.isEmpty() ? null : value;
    }

    private static void traceId(String trace) {
        if (!TRACE_ID.matcher(trace).matches()) {
            throw new IllegalArgumentException("trace: '" + trace + "' is not a trace id — give its 32 lower-case hex digits");
        }
    }

    /** The {@code max} latest records of {@code app} (null: of every app), the newest first. */
    public List<Activation> latest(String app, int max) throws SQLException {
        return latest(app, null, max);
    }

    /** The latest {@code max} records of {@code app} (null: of every app) that started at {@code since} or later (null: any). */
    public List<Activation> latest(String app, Instant since, int max) throws SQLException {
        collector.collect();
        return store.find(new ActivationStore.Query(app, null, null, since, null, max));
    }

    /** Every record of one operation, up to {@value #MAX_LIMIT}, in the order they started. */
    public List<Activation> trace(String trace) throws SQLException {
        traceId(trace);
        collector.collect();
        return store.find(new ActivationStore.Query(null, null, null, null, trace, MAX_LIMIT));
    }

    /**
     * The record of the call whose span id is {@code id}.
     *
     * @throws IllegalArgumentException when {@code id} is not a span id
     */
    public Optional<Activation> find(String id) throws SQLException {
        if (!SPAN_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("'" + id + "' is not an activation id — give its 16 lower-case hex digits");
        }
        collector.collect();
        return store.find(id);
    }

    /** Answers a search. */
    public void search(ServerRequest req, ServerResponse res) throws SQLException, IOException {
        send(res, Status.OK_200, Map.of("activations", search(req.query())));
    }

    /** Answers with one record, or 404. */
    public void one(ServerRequest req, ServerResponse res) throws SQLException, IOException {
        String id = req.path().pathParameters().get("id");
        Optional<Activation> found = find(id);
        if (found.isEmpty()) {
            Responses.error(res, Status.NOT_FOUND_404, "not-found", "no activation '" + id + "' — GET /admin/activations lists the latest");
            return;
        }
        send(res, Status.OK_200, found.get());
    }

    private static void send(ServerResponse res, Status status, Object body) throws IOException {
        res.status(status).header(HeaderValues.CONTENT_TYPE_JSON).send(Activations.JSON.writeValueAsBytes(body));
    }

    /**
     * The instant {@code text} names: an instant ({@code 2026-11-30T10:00:00Z}) or a duration back
     * from now ({@code 15m}).
     *
     * @throws IllegalArgumentException when it is neither, or out of the store's range
     */
    public Instant since(String text) {
        Instant since;
        try {
            since = Instant.parse(text);
        } catch (DateTimeParseException notAnInstant) {
            Duration back;
            try {
                back = Durations.parse(text);
            } catch (IllegalArgumentException e) {
                // A duration's form with a value it cannot take (zero, too long) is told as such.
                throw new IllegalArgumentException(Durations.hasForm(text) ? "since: '" + text + "': " + e.getMessage()
                        : "since: '" + text + "' is neither an instant (2026-11-30T10:00:00Z) nor a duration (15m)");
            }
            try {
                since = clock.instant().minus(back);
            } catch (ArithmeticException | DateTimeException e) {
                throw new IllegalArgumentException("since: '" + text + "' is before 1970 or after 9999");
            }
        }
        // The store counts microseconds since 1970 in a long: anything before or far after is no search.
        if (since.isBefore(Instant.EPOCH) || since.isAfter(Instant.parse("9999-12-31T23:59:59Z"))) {
            throw new IllegalArgumentException("since: '" + text + "' is before 1970 or after 9999");
        }
        return since;
    }

    private static int limit(String text) {
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // told below
        }
        throw new IllegalArgumentException("limit: '" + text + "' is not a number from 1 to " + MAX_LIMIT);
    }
}
