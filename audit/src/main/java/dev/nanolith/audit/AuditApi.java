package dev.nanolith.audit;

import dev.nanolith.gateway.Requests;
import dev.nanolith.gateway.Responses;
import dev.nanolith.observe.ActivationsApi;
import dev.nanolith.runtime.Router;
import dev.nanolith.runtime.config.AppConfig;
import dev.nanolith.runtime.observe.Activation;
import dev.nanolith.runtime.observe.Activations;
import dev.nanolith.runtime.placement.Deployment;
import dev.nanolith.runtime.placement.Manifest;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * The admin API's audits and plans, from the latest {@value #RECORDS} activation records of an
 * app: {@code GET /apps/{app}/audit} answers the {@link Audit} of the revision that serves it, and
 * {@code GET /apps/{app}/plan?steps=N&by-owner=true&max-functions=M} the {@link Plan} its
 * traffic suggests; 404 when no revision of it serves, 400 for a parameter that is not a number.
 */
public final class AuditApi {

    /** How many of an app's latest records an audit or a plan reads. */
    static final int RECORDS = 20_000;

    /**
     * What a plan is asked for.
     *
     * @param steps        the most steps it takes
     * @param byOwner      whether functions of different owners stay in different services
     * @param maxFunctions the most functions a service may have; 0: no limit
     * @param since        the traffic it reads starts then; null: the latest {@value #RECORDS} records
     */
    public record Options(int steps, boolean byOwner, int maxFunctions, Instant since) {

        /**
         * The options the query parameters {@code steps}, {@code by-owner}, {@code max-functions}
         * and {@code since} name, each absent or blank for its default.
         *
         * @throws IllegalArgumentException naming a value that is not a number of the right range
         */
        static Options parse(ServerRequest req, ActivationsApi activations) {
            var query = req.query();
            Requests.requireKnown(query, "steps", "by-owner", "max-functions", "since");
            Optional<String> since = query.first("since").asOptional().filter(s -> !s.isBlank());
            Optional<String> byOwner = query.first("by-owner").asOptional().filter(s -> !s.isBlank());
            if (byOwner.isPresent() && !byOwner.get().equals("true") && !byOwner.get().equals("false")) {
                throw new IllegalArgumentException("by-owner '" + byOwner.get() + "' is neither true nor false");
            }
            return new Options(count("steps", query.first("steps").asOptional(), Integer.MAX_VALUE), byOwner.map(Boolean::parseBoolean).orElse(false),
                    count("max-functions", query.first("max-functions").asOptional(), 0), since.map(activations::since).orElse(null));
        }

        private static int count(String name, Optional<String> value, int otherwise) {
            if (value.isEmpty() || value.get().isBlank()) {
                return otherwise;
            }
            try {
                int n = Integer.parseInt(value.get().strip());
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // told below
            }
            throw new IllegalArgumentException(name + " '" + value.get() + "' is not a count — give a whole number, 0 or more");
        }
    }

    private final Router router;
    private final ActivationsApi activations;
    private final Auditor auditor;
    private final Planner planner = new Planner();
    private final BiFunction<String, String, Map<String, Double>> predicted;
    private final Cpu cpu;

    /** What the workers of a revision of an app, the control plane and the host used between two instants. */
    @FunctionalInterface
    public interface Cpu {
        /** Empty when that window was not sampled. */
        Optional<Usage> usage(String app, String revision, Instant from, Instant to);
    }

    /**
     * @param predicted what the plan that placed a revision predicted, by app and revision: ms by entry function
     * @param cpu       the CPU used over a window of the traffic read
     */
    public AuditApi(Router router, ActivationsApi activations, Auditor.Guidelines guidelines,
                    BiFunction<String, String, Map<String, Double>> predicted, Cpu cpu) {
        this.router = router;
        this.activations = activations;
        this.auditor = new Auditor(guidelines);
        this.predicted = predicted;
        this.cpu = cpu;
    }

    /**
     * Those of {@code records} whose traces ran where {@code serving} places each function (or a
     * copy of it): a revision served again under another placement (the platform started with
     * another {@code --placement}) made the others, and that traffic is another placement's.
     */
    private static List<Activation> placed(Deployment serving, List<Activation> records) {
        Map<String, Set<String>> where = new HashMap<>();
        for (Manifest.Function f : serving.functions()) {
            Set<String> services = new HashSet<>(f.copies());
            services.add(f.service());
            where.put(f.name(), services);
        }
        Set<String> elsewhere = records.stream().filter(a -> a.revision().equals(serving.id()) && !a.service().equals(Activation.GATEWAY)
                && !where.getOrDefault(a.function(), Set.of()).contains(a.service())).map(Activation::traceId).collect(Collectors.toSet());
        return elsewhere.isEmpty() ? records : records.stream().filter(a -> !elsewhere.contains(a.traceId())).toList();
    }

    /** The CPU used while {@code records} of {@code revision} of {@code app} were made: from the first call's start to the last one's end. */
    private Usage usage(String app, String revision, List<Activation> records) {
        List<Activation> of = records.stream().filter(a -> a.app().equals(app) && a.revision().equals(revision)).toList();
        if (of.isEmpty()) {
            return null;
        }
        Instant from = of.stream().map(Activation::start).min(Instant::compareTo).orElseThrow();
        Instant to = of.stream().map(a -> a.start().plusNanos(a.durationNanos())).max(Instant::compareTo).orElseThrow();
        return cpu.usage(app, revision, from, to).orElse(null);
    }

    /**
     * The audit of what serves {@code app} now, from its traffic since {@code since} (null: its latest records).
     *
     * @throws NoSuchElementException when no revision of {@code app} serves
     */
    public Audit audit(String app, Instant since) throws SQLException {
        Deployment serving = serving(app);
        AppConfig config = serving.config().config();
        List<Auditor.Function> functions = serving.functions().stream().map(fn -> Auditor.Function.of(fn, config)).toList();
        List<Auditor.Peer> peers = new ArrayList<>();
        for (Deployment other : router.deployments()) {
            if (other.app().equals(app)) {
                continue;
            }
            AppConfig theirs = other.config().config();
            other.functions().forEach(fn -> peers.add(new Auditor.Peer(other.app(), fn.name(), Planner.ownerOf(theirs, fn.name()), fn.code())));
        }
        List<Activation> records = placed(serving, activations.latest(app, since, RECORDS));
        return auditor.audit(app, serving.id(), functions, peers, records, predicted.apply(app, serving.id()), usage(app, serving.id(), records));
    }

    /**
     * The plan for what serves {@code app} now.
     *
     * @throws NoSuchElementException when no revision of {@code app} serves
     */
    public Plan plan(String app, Options options) throws SQLException {
        Deployment serving = serving(app);
        Map<String, String> placement = placement(serving);
        AppConfig config = serving.config().config();
        List<Activation> records = placed(serving, activations.latest(app, options.since(), RECORDS));
        return planner.plan(app, serving.id(), placement, records, usage(app, serving.id(), records),
                Planner.Constraints.of(config, placement.keySet(), options.byOwner(), options.maxFunctions()), options.steps());
    }

    /** Answers with the audit of the app in the path, of its traffic since {@code ?since=} if given, or 404. */
    public void audit(ServerRequest req, ServerResponse res) throws SQLException, IOException {
        Requests.requireKnown(req.query(), "since");
        String app = req.path().pathParameters().get("app");
        Instant since = req.query().first("since").asOptional().filter(s -> !s.isBlank()).map(activations::since).orElse(null);
        json(res, () -> audit(app, since));
    }

    /** Answers with the plan for the app in the path, or 404, or 400 for a parameter that is not a count. */
    public void plan(ServerRequest req, ServerResponse res) throws SQLException, IOException {
        String app = req.path().pathParameters().get("app");
        Options options = options(req);
        json(res, () -> plan(app, options));
    }

    /** What an answer is made of; {@link NoSuchElementException} when no revision of its app serves. */
    @FunctionalInterface
    private interface Answer {
        Object make() throws SQLException;
    }

    /** Answers 200 with what {@code answer} makes, as JSON, or 404 when no revision of the app serves. */
    private static void json(ServerResponse res, Answer answer) throws SQLException, IOException {
        Object body;
        try {
            body = answer.make();
        } catch (NoSuchElementException e) {
            Responses.error(res, Status.NOT_FOUND_404, "not-found", e.getMessage());
            return;
        }
        res.status(Status.OK_200).header(HeaderValues.CONTENT_TYPE_JSON).send(Activations.JSON.writeValueAsBytes(body));
    }

    /**
     * The plan options a request's query names.
     *
     * @throws IllegalArgumentException naming a parameter that is not a count
     */
    public Options options(ServerRequest req) {
        return Options.parse(req, activations);
    }

    private Deployment serving(String app) {
        return router.deployments().stream().filter(d -> d.app().equals(app)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no app '" + app + "' serves — ./nanolith apps lists them"));
    }

    private static Map<String, String> placement(Deployment serving) {
        Map<String, String> placement = new TreeMap<>();
        for (Manifest.Function function : serving.functions()) {
            placement.put(function.name(), function.service());
        }
        return placement;
    }
}
