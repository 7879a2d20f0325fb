package dev.nanolith.dashboard;

import dev.nanolith.deploy.AppStore;
import dev.nanolith.deploy.Workers;
import dev.nanolith.audit.AuditApi;
import dev.nanolith.observe.ActivationsApi;
import dev.nanolith.runtime.Router;
import dev.nanolith.runtime.observe.Activation;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The dashboard, at {@code /ui}: a page an engineer keeps open — the apps with their revisions and
 * deploy history, every function's rate, errors and p50/p99 over the last minutes, the services'
 * processes with their memory and restarts, activation search with each call's logs, and an
 * operation's call graph across processes ({@code /ui/trace/{id}}). Server-rendered HTML; htmx
 * refreshes its panels and uPlot draws its charts, both served from their WebJars. Behind a login
 * with the admin token, on any host: a session cookie ({@code HttpOnly}, {@code SameSite=Strict},
 * path {@code /ui}) lasts {@link #SESSION}.
 */
public final class Dashboard implements HttpService, AutoCloseable {

    /** How long a login lasts. */
    static final Duration SESSION = Duration.ofHours(12);

    private static final String COOKIE = "nanolith_ui";
    private static final HeaderName HX_REQUEST = HeaderNames.create("HX-Request");
    /** The files the page loads, by the name it asks for: the WebJars' and its own. */
    private static final Map<String, String> ASSETS = Map.of(
            "htmx.min.js", "META-INF/resources/webjars/htmx.org/" + version("htmx.org") + "/dist/htmx.min.js",
            "uPlot.iife.min.js", "META-INF/resources/webjars/uplot/" + version("uplot") + "/dist/uPlot.iife.min.js",
            "uPlot.min.css", "META-INF/resources/webjars/uplot/" + version("uplot") + "/dist/uPlot.min.css",
            "dashboard.css", "dev/nanolith/dashboard/dashboard.css",
            "dashboard.js", "dev/nanolith/dashboard/dashboard.js");

    private final Router router;
    private final AppStore apps;
    private final Workers workers;
    private final ActivationsApi search;
    private final AuditApi audits;
    private final Predicate<String> adminToken;
    private final Supplier<String> platformUrl;
    private final String sandbox;
    private final Clock clock;
    private final Sampler sampler;
    private final SecureRandom random = new SecureRandom();
    /** The sessions of who logged in, by their cookie's value, with when each ends. */
    private final Map<String, Instant> sessions = new ConcurrentHashMap<>();

    /**
     * A dashboard whose charts are drawn from {@code metrics}, sampled once it {@link #start}s.
     *
     * @param metrics    the platform's metrics, every worker's gathered, as Prometheus text
     * @param adminToken whether a token is the admin token
     */
    public Dashboard(Router router, AppStore apps, Workers workers, ActivationsApi search, AuditApi audits, Supplier<String> metrics,
                     Predicate<String> adminToken, Supplier<String> platformUrl, String sandbox, Clock clock) {
        this.audits = audits;
        this.router = router;
        this.apps = apps;
        this.workers = workers;
        this.search = search;
        this.adminToken = adminToken;
        this.platformUrl = platformUrl;
        this.sandbox = sandbox;
        this.clock = clock;
        this.sampler = new Sampler(metrics, clock);
    }

    /** The version of a WebJar on the class path, as its Maven metadata says. */
    private static String version(String artifact) {
        String pom = "META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(pom)) {
            java.util.Properties properties = new java.util.Properties();
            if (in == null) {
                throw new IllegalStateException("the platform's build lacks the WebJar " + artifact + " — rebuild it");
            }
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new IllegalStateException("the WebJar " + artifact + " cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/assets/{name}", this::asset)
                .get("/login", (req, res) -> html(res, Status.OK_200, Views.login(null)))
                .post("/login", this::login)
                .post("/logout", this::logout)
                .get("/", page(this::overview))
                .get("/functions", panel(() -> Views.functions(sampler.functions())))
                .get("/services", panel(() -> Views.services(sampler.services(), workers.running())))
                .get("/activations", page(this::search))
                .get("/activations/{id}", page(this::activation))
                .get("/trace/{trace}", page(this::trace))
                .get("/audit/{app}", page(this::audit));
    }

    private void asset(ServerRequest req, ServerResponse res) throws IOException {
        String name = req.path().pathParameters().get("name");
        String resource = ASSETS.get(name);
        try (InputStream in = resource == null ? null : Dashboard.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                res.status(Status.NOT_FOUND_404).send("no asset " + name);
                return;
            }
            String type = name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            res.header(HeaderNames.CONTENT_TYPE, type).header(HeaderNames.CACHE_CONTROL, "max-age=3600").send(in.readAllBytes());
        }
    }

    /** Logs in with the admin token, sent by the login form. */
    private void login(ServerRequest req, ServerResponse res) throws IOException {
        String form = new String(req.content().inputStream().readNBytes(4_096), StandardCharsets.UTF_8);
        String token = null;
        for (String field : form.split("&")) {
            if (field.startsWith("token=")) {
                token = URLDecoder.decode(field.substring(6), StandardCharsets.UTF_8).strip();
            }
        }
        if (token == null || !adminToken.test(token)) {
            // 403, not 401: a form, not an HTTP authentication scheme, asks for the token.
            html(res, Status.FORBIDDEN_403, Views.login("That is not the admin token of this platform."));
            return;
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String session = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        sessions.values().removeIf(end -> end.isBefore(clock.instant()));
        sessions.put(session, clock.instant().plus(SESSION));
        res.header(HeaderNames.SET_COOKIE, COOKIE + "=" + session + "; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=" + SESSION.toSeconds());
        redirect(res, "/ui/");
    }

    private void logout(ServerRequest req, ServerResponse res) {
        session(req).ifPresent(sessions::remove);
        res.header(HeaderNames.SET_COOKIE, COOKIE + "=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0");
        redirect(res, "/ui/login");
    }

    /** The session cookie the request carries, if it is a live one. */
    private Optional<String> session(ServerRequest req) {
        Optional<String> cookie = req.headers().cookies().first(COOKIE).asOptional();
        return cookie.filter(value -> {
            Instant end = sessions.get(value);
            return end != null && end.isAfter(clock.instant());
        });
    }

    /** What renders a page or a panel. */
    @FunctionalInterface
    private interface View {
        String render(ServerRequest req) throws SQLException;
    }

    /** A handler that renders {@code view} for who logged in, and sends anyone else to the login. */
    private Handler page(View view) {
        return (req, res) -> {
            if (session(req).isEmpty()) {
                if (req.headers().contains(HX_REQUEST)) {
                    // A panel htmx refreshes: htmx sends the whole page to the login (a redirect would be followed, and swapped in).
                    res.header(HeaderValues.create("HX-Redirect", "/ui/login")).status(Status.OK_200).send();
                } else {
                    redirect(res, "/ui/login");
                }
                return;
            }
            // htmx swaps in answers of 200 only: a panel's problem is one, said in its place.
            boolean panel = req.headers().contains(HX_REQUEST);
            try {
                html(res, Status.OK_200, view.render(req));
            } catch (IllegalArgumentException e) {
                html(res, panel ? Status.OK_200 : Status.BAD_REQUEST_400, "<p class=\"problem\">" + Views.esc(e.getMessage()) + "</p>");
            } catch (SQLException e) {
                html(res, panel ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, "<p class=\"problem\">The activation store cannot be read: "
                        + Views.esc(e.getMessage()) + "</p>");
            }
        };
    }

    private Handler panel(Supplier<String> panel) {
        return page(req -> panel.get());
    }

    private String overview(ServerRequest req) throws SQLException {
        List<Activation> latest = search.latest(null, 30);
        return Views.page("Overview", platformUrl.get(), sandbox, Views.overview(router.deployments(), apps.apps(), sampler.functions(),
                sampler.services(), workers.running(), latest));
    }

    private String search(ServerRequest req) throws SQLException {
        return Views.activations(search.search(req.query()));
    }

    private String activation(ServerRequest req) throws SQLException {
        String id = req.path().pathParameters().get("id");
        return search.find(id).map(Views::activation).orElse("<p class=\"muted\">No activation " + Views.esc(id) + " is kept.</p>");
    }

    private String trace(ServerRequest req) throws SQLException {
        String trace = req.path().pathParameters().get("trace");
        List<Activation> calls = search.trace(trace);
        return Views.page("Operation " + trace.substring(0, 8), platformUrl.get(), sandbox, Views.trace(trace, calls));
    }

    /** The audit of the app in the path, of its traffic since {@code ?since=} if given; an unknown app or a bad since is told on the page. */
    private String audit(ServerRequest req) throws SQLException {
        String app = req.path().pathParameters().get("app");
        Instant since;
        try {
            since = req.query().first("since").asOptional().filter(s -> !s.isBlank()).map(search::since).orElse(null);
        } catch (IllegalArgumentException bad) {
            return auditProblem(app, bad.getMessage());
        }
        try {
            return Views.page("Audit of " + app, platformUrl.get(), sandbox, Views.audit(audits.audit(app, since)));
        } catch (java.util.NoSuchElementException unknown) {
            return auditProblem(app, unknown.getMessage());
        }
    }

    private String auditProblem(String app, String problem) {
        return Views.page("Audit of " + app, platformUrl.get(), sandbox,
                "<main class=\"audit\"><section class=\"panel\"><p class=\"problem\">" + Views.esc(problem) + "</p></section></main>");
    }

    private static void html(ServerResponse res, Status status, String html) {
        res.status(status).header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                .header(HeaderNames.CACHE_CONTROL, "no-store").send(html.getBytes(StandardCharsets.UTF_8));
    }

    private static void redirect(ServerResponse res, String to) {
        res.status(Status.SEE_OTHER_303).header(HeaderNames.LOCATION, to).send();
    }

    /** Starts sampling the metrics for the charts: once the platform they come from is up. */
    public void start() {
        sampler.start();
    }

    @Override
    public void close() {
        sampler.close();
    }
}
