package dev.nanolith.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nanolith.gateway.Requests;
import dev.nanolith.gateway.Responses;
import dev.nanolith.audit.AuditApi;
import dev.nanolith.audit.Plan;
import dev.nanolith.observe.ActivationsApi;
import dev.nanolith.runtime.config.Durations;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.security.RateLimit;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The platform's own API, for the launcher and for people: apps, their deploy tokens, their
 * revisions and rollback, their secrets; the API keys callers send to the gateway; the activation
 * records of calls ({@link ActivationsApi}) and the apps' audits ({@link AuditApi}). Every call needs the admin token ({@code Authorization: Bearer …}).
 */
public final class AdminApi implements HttpService {

    private static final ObjectMapper JSON = AppStore.JSON;
    private static final System.Logger LOG = System.getLogger(AdminApi.class.getName());

    private final Predicate<String> servedFromDirectory;
    private final AppStore store;
    private final ApiKeys keys;
    private final Secrets secrets;
    private final Workers workers;
    private final Deployer deployer;
    private final String adminTokenHash;
    private final Supplier<String> baseUrl;
    private final ActivationsApi activations;
    private final AuditApi audits;

    /** @param servedFromDirectory whether an app of that name is served from a directory, not pushed: no app can be created with its name */
    public AdminApi(AppStore store, ApiKeys keys, Secrets secrets, Workers workers, Deployer deployer, String adminToken, Supplier<String> baseUrl,
                    Predicate<String> servedFromDirectory, ActivationsApi activations, AuditApi audits) {
        this.activations = activations;
        this.audits = audits;
        this.servedFromDirectory = servedFromDirectory;
        this.store = store;
        this.keys = keys;
        this.secrets = secrets;
        this.workers = workers;
        this.deployer = deployer;
        this.adminTokenHash = Tokens.hash(adminToken);
        this.baseUrl = baseUrl;
    }

    /** The admin token of a data directory, made on its first use and readable by its owner only. */
    public static String token(Path dataDir) throws IOException {
        Path file = dataDir.resolve("admin-token");
        if (Files.exists(file)) {
            return Files.readString(file).strip();
        }
        String token = Tokens.create();
        AppStore.writeOwnerOnly(file, token + "\n");
        return token;
    }

    /** Whether {@code token} is the admin token: what the dashboard's login takes. */
    public boolean admits(String token) {
        return Tokens.matches(token, adminTokenHash);
    }

    @Override
    public void routing(HttpRules rules) {
        // The token first: a request without it learns nothing, not even which paths and methods there are.
        rules.any(this::authenticated)
                .get("/apps", noQuery(this::list))
                .post("/apps", noQuery(this::create))
                .any("/apps", notAllowed("GET, POST"))
                .get("/apps/{app}/revisions", noQuery(this::revisions))
                .any("/apps/{app}/revisions", notAllowed("GET"))
                .get("/apps/{app}/audit", jsonErrors(audits::audit))
                .any("/apps/{app}/audit", notAllowed("GET"))
                .get("/apps/{app}/plan", jsonErrors(audits::plan))
                .post("/apps/{app}/plan", jsonErrors(this::applyPlan))
                .any("/apps/{app}/plan", notAllowed("GET, POST"))
                .post("/apps/{app}/rollback", noQuery(this::rollback))
                .any("/apps/{app}/rollback", notAllowed("POST"))
                .post("/apps/{app}/token", noQuery(this::token))
                .any("/apps/{app}/token", notAllowed("POST"))
                .get("/apps/{app}/secrets", noQuery(this::secrets))
                .put("/apps/{app}/secrets/{name}", noQuery(this::setSecret))
                .delete("/apps/{app}/secrets/{name}", noQuery(this::removeSecret))
                .any("/apps/{app}/secrets", notAllowed("GET"))
                .any("/apps/{app}/secrets/{name}", notAllowed("PUT, DELETE"))
                .get("/keys", noQuery(this::keys))
                .post("/keys", noQuery(this::createKey))
                .delete("/keys/{name}", noQuery(this::revokeKey))
                .any("/keys", notAllowed("GET, POST"))
                .any("/keys/{name}", notAllowed("DELETE"))
                .get("/activations", jsonErrors(activations::search))
                .get("/activations/{id}", noQuery(activations::one))
                .any("/activations", notAllowed("GET"))
                .any("/activations/{id}", notAllowed("GET"));
    }

    /** Passes a request with the admin token on to its route; answers 401 to any other. */
    private void authenticated(ServerRequest req, ServerResponse res) {
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (header.startsWith("Bearer ") && Tokens.matches(header.substring(7).trim(), adminTokenHash)) {
            res.next();
        } else {
            Responses.error(res, Status.UNAUTHORIZED_401, "unauthorized",
                    "the admin API needs the admin token as 'Authorization: Bearer TOKEN'; it is in the file admin-token of the data directory");
        }
    }

    /** As {@link #jsonErrors}, for a route that takes no query parameter: a misspelt one is refused, not ignored. */
    private static Handler noQuery(Handler handler) {
        return jsonErrors((req, res) -> {
            Requests.requireKnown(req.query());
            handler.handle(req, res);
        });
    }

    /** Answers the errors of {@code handler} as the admin API's JSON errors. */
    private static Handler jsonErrors(Handler handler) {
        return (req, res) -> {
            try {
                handler.handle(req, res);
            } catch (NotFoundException e) {
                Responses.error(res, Status.NOT_FOUND_404, "not-found", e.getMessage());
            } catch (Requests.Refused e) {
                Responses.error(res, e.status(), e.error(), e.getMessage());
            } catch (IllegalArgumentException e) {
                Responses.error(res, Status.BAD_REQUEST_400, "bad-request", e.getMessage());
            } catch (IllegalStateException e) {
                Responses.error(res, Status.CONFLICT_409, "conflict", e.getMessage());
            } catch (SQLException e) {
                Responses.error(res, Status.SERVICE_UNAVAILABLE_503, "store-unavailable", "the activation store cannot be read: " + e.getMessage());
            }
        };
    }

    /** Answers a method the path does not take with 405 and the methods it does. */
    private static Handler notAllowed(String allowed) {
        return (req, res) -> {
            res.header(HeaderNames.ALLOW, allowed);
            Responses.error(res, Status.METHOD_NOT_ALLOWED_405, "method-not-allowed", req.prologue().method().text() + " "
                    + req.path().absolute().path() + " is not served — use " + allowed);
        };
    }

    private void list(ServerRequest req, ServerResponse res) {
        ArrayNode apps = JSON.createArrayNode();
        for (AppState app : store.apps()) {
            apps.addObject().put("app", app.name()).put("current", app.current()).put("revisions", app.revisions().size())
                    .put("git", gitUrl(app.name()));
        }
        Responses.json(res, Status.OK_200, apps);
    }

    private void create(ServerRequest req, ServerResponse res) throws IOException {
        String name = Requests.object(req, "name").path("name").asText("");
        if (servedFromDirectory.test(name)) {
            throw new IllegalStateException("an app named '" + name + "' is served from a directory by this platform — give the new app"
                    + " another name, or stop serving that directory and create it then");
        }
        String token = store.create(name);
        ObjectNode created = Responses.object().put("app", name).put("token", token).put("git", gitUrl(name))
                .put("remote", remote(name, token));
        Responses.json(res, Status.CREATED_201, created);
    }

    private void revisions(ServerRequest req, ServerResponse res) {
        AppState app = app(req);
        ArrayNode list = JSON.createArrayNode();
        for (RevisionRecord r : app.revisions()) {
            ObjectNode node = JSON.valueToTree(r);
            node.put("current", r.id().equals(app.current()));
            list.add(node);
        }
        Responses.json(res, Status.OK_200, list);
    }

    private void rollback(ServerRequest req, ServerResponse res) throws IOException {
        AppState app = app(req);
        JsonNode given = Requests.object(req, "revision").path("revision");
        if (!given.isTextual() || given.asText().isBlank()) {
            throw new IllegalArgumentException("give the revision to return to as {\"revision\": \"r1\"} — GET /admin/apps/" + app.name()
                    + "/revisions lists them");
        }
        String revision = given.asText();
        long start = System.nanoTime();
        try {
            RevisionRecord target = deployer.rollback(app.name(), revision);
            Responses.json(res, Status.OK_200, Responses.object().put("app", app.name()).put("current", target.id())
                    .put("commit", target.commit()).put("millis", (System.nanoTime() - start) / 1_000_000));
        } catch (LoadException e) {
            Responses.error(res, Status.CONFLICT_409, "rollback-failed", e.getMessage());
        }
    }

    /**
     * Deploys the plan that {@code GET …/plan} with the same query shows, as a new revision of the
     * commit that serves: 200 with the deploy's lines; 409 when the app is served from a directory,
     * the plan has no step, or the new revision fails its checks (the old one serves on).
     */
    private void applyPlan(ServerRequest req, ServerResponse res) throws IOException, SQLException {
        // What to apply is in the query, as GET …/plan takes it: a body says nothing.
        Requests.object(req);
        String name = req.path().pathParameters().get("app");
        if (servedFromDirectory.test(name)) {
            throw new IllegalStateException("'" + name + "' is served from a directory: a plan is applied as a new revision of a pushed app"
                    + " — create the app and git push it");
        }
        AppState app = app(req);
        AuditApi.Options options = audits.options(req);
        if (options.steps() == 0) {
            throw new IllegalArgumentException("steps=0 applies nothing — give 1 or more, or leave it out for every step");
        }
        Plan plan;
        try {
            plan = audits.plan(app.name(), options);
        } catch (java.util.NoSuchElementException e) {
            throw new NotFoundException(e.getMessage());
        }
        if (plan.steps().isEmpty()) {
            throw new IllegalStateException("the plan for '" + app.name() + "' has no step: " + (plan.model().traces() == 0 && plan.operations().isEmpty()
                    ? "no traffic of " + plan.revision() + " was read — call its functions first" : "no call between processes in the traffic of "
                    + plan.revision() + " is left that a merge the constraints allow (isolated functions, scale: independent, by-owner,"
                    + " max-functions) would save") + " — GET /admin/apps/" + app.name() + "/plan shows the model and the operations");
        }
        Map<String, Double> predicted = new TreeMap<>();
        plan.operations().forEach(op -> predicted.put(op.entry(), op.predictedMillis()));
        String origin = "plan " + plan.steps().size() + (plan.steps().size() == 1 ? " step" : " steps") + " from the traffic of " + plan.revision();
        List<String> lines = new ArrayList<>();
        try {
            lines.addAll(deployer.place(app.name(), plan.revision(), plan.placement(), origin, predicted, lines::add));
        } catch (LoadException e) {
            Responses.error(res, Status.CONFLICT_409, "plan-failed", "the planned revision failed its checks; " + plan.revision()
                    + " serves on: " + e.getMessage());
            return;
        }
        ObjectNode done = Responses.object().put("app", app.name()).put("current", store.app(app.name()).orElseThrow().current());
        lines.forEach(done.putArray("lines")::add);
        done.set("plan", JSON.valueToTree(plan));
        Responses.json(res, Status.OK_200, done);
    }

    private void token(ServerRequest req, ServerResponse res) throws IOException {
        Requests.object(req);
        AppState app = app(req);
        String token = store.rotateToken(app.name());
        Responses.json(res, Status.OK_200, Responses.object().put("app", app.name()).put("token", token)
                .put("remote", remote(app.name(), token)));
    }

    /** The API keys, without their hashes. */
    private void keys(ServerRequest req, ServerResponse res) {
        ArrayNode list = JSON.createArrayNode();
        for (ApiKeys.Key key : keys.list()) {
            ObjectNode node = list.addObject().put("name", key.name()).put("created", key.created().toString());
            key.scopes().forEach(node.putArray("scopes")::add);
            node.put("expires", key.expires() == null ? null : key.expires().toString());
            node.put("rate-limit", key.rateLimit() == null ? null : key.rateLimit().toString());
        }
        Responses.json(res, Status.OK_200, list);
    }

    /**
     * Makes a key from {@code {"name", "scopes": [GLOB…], "expires": "30d", "rate-limit": "100/s"}}; the answer is the only place
     * the key is shown.
     */
    private void createKey(ServerRequest req, ServerResponse res) throws IOException {
        JsonNode body = Requests.object(req, "name", "scopes", "expires", "rate-limit");
        String name = body.path("name").asText(null);
        List<String> scopes = new ArrayList<>();
        body.path("scopes").forEach(scope -> scopes.add(scope.asText()));
        String expires = body.path("expires").asText(null);
        String rateLimit = body.path("rate-limit").asText(null);
        String key = keys.create(name, scopes, expires == null ? null : Durations.parse(expires), rateLimit == null ? null : RateLimit.parse(rateLimit));
        Responses.json(res, Status.CREATED_201, Responses.object().put("name", name).put("key", key));
    }

    private void revokeKey(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        keys.revoke(name);
        Responses.json(res, Status.OK_200, Responses.object().put("name", name).put("revoked", true));
    }

    /** The names of an app's secrets, and when each was set; never a value. */
    private void secrets(ServerRequest req, ServerResponse res) {
        ArrayNode list = JSON.createArrayNode();
        for (Secrets.Entry entry : secrets.list(req.path().pathParameters().get("app"))) {
            list.addObject().put("name", entry.name()).put("updated", entry.updated().toString());
        }
        Responses.json(res, Status.OK_200, list);
    }

    /**
     * Sets a secret to the request's body, taken as it is (UTF-8 text), and sends it to the running
     * workers whose functions declare it; the answer says how many have it, never the value.
     */
    private void setSecret(ServerRequest req, ServerResponse res) throws IOException {
        String app = req.path().pathParameters().get("app"), name = req.path().pathParameters().get("name");
        byte[] bytes = req.content().inputStream().readNBytes(Secrets.MAX_BYTES + 1);
        if (bytes.length > Secrets.MAX_BYTES) {
            Responses.error(res, Status.REQUEST_ENTITY_TOO_LARGE_413, "payload-too-large", "the value of a secret may take at most "
                    + Secrets.MAX_BYTES + " bytes");
            return;
        }
        String value;
        try {
            value = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the value of a secret must be UTF-8 text");
        }
        Instant updated = secrets.set(app, name, value);
        int sent = workers.sendSecrets(app, name);
        LOG.log(System.Logger.Level.INFO, "secret {0} of ''{1}'' set through the admin API; {2} running worker(s) have the new value", name, app, sent);
        Responses.json(res, Status.OK_200, Responses.object().put("app", app).put("name", name).put("updated", updated.toString())
                .put("workers", sent));
    }

    /** Removes a secret; the running workers whose functions declare it lose it (or fall back to the platform's settings). */
    private void removeSecret(ServerRequest req, ServerResponse res) {
        String app = req.path().pathParameters().get("app"), name = req.path().pathParameters().get("name");
        secrets.remove(app, name);
        int sent = workers.sendSecrets(app, name);
        LOG.log(System.Logger.Level.INFO, "secret {0} of ''{1}'' removed through the admin API; {2} running worker(s) told", name, app, sent);
        Responses.json(res, Status.OK_200, Responses.object().put("app", app).put("name", name).put("removed", true)
                .put("workers", sent));
    }

    private AppState app(ServerRequest req) {
        String name = req.path().pathParameters().get("app");
        return store.app(name).orElseThrow(() -> new NotFoundException("no app named '" + name + "'"));
    }

    private String gitUrl(String app) {
        return baseUrl.get() + "/git/" + app + ".git";
    }

    /** The remote URL with the token in it, as {@code git remote add} takes it. */
    private String remote(String app, String token) {
        return gitUrl(app).replaceFirst("://", "://deploy:" + token + "@");
    }
}
