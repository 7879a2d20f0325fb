package dev.nanolith.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nanolith.BadInputException;
import dev.nanolith.Caller;
import dev.nanolith.DeadlineExceededException;
import dev.nanolith.FunctionFailedException;
import dev.nanolith.RefusedException;
import dev.nanolith.ServiceUnavailableException;
import dev.nanolith.NoSuchFunctionException;
import dev.nanolith.runtime.ErrorIds;
import dev.nanolith.runtime.MalformedJsonException;
import dev.nanolith.runtime.Router;
import dev.nanolith.runtime.Trace;
import dev.nanolith.runtime.config.Durations;
import dev.nanolith.runtime.deadline.Watchdog;
import dev.nanolith.runtime.dispatch.WireClient;
import dev.nanolith.runtime.observe.Activation;
import dev.nanolith.runtime.placement.Deployment;
import dev.nanolith.runtime.placement.Manifest;
import dev.nanolith.runtime.resilience.Guard;
import dev.nanolith.runtime.security.Access;
import dev.nanolith.runtime.security.RateLimit;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.OptionalLong;

/**
 * The HTTP front door: {@code POST /fn/{name}} calls a function with JSON, in the worker that
 * hosts it (the body is carried as it came, and read there), {@code GET /fn}
 * lists the functions with their schemas, {@code GET /health} (readiness; also {@code /health/ready}
 * and {@code /health/live}) and {@code GET /metrics}
 * report on the platform. Every error is a JSON body {@code {"error", "message"}}.
 */
public final class Gateway implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Gateway.class.getName());
    private static final HeaderName TRACEPARENT = HeaderNames.create("traceparent");
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Router router;
    private final Authenticator authenticator;
    private final RateLimits rateLimits = new RateLimits();
    private final MeterRegistry registry;
    private final WireClient workers;
    private final Watchdog watchdog;
    private final BooleanSupplier ready;
    private final Supplier<String> metrics;
    private final String sandbox;
    private final GatewayConfig config;
    private final ObjectMapper json = new ObjectMapper();
    /** The error handlers of the gateway's calls, by deployment and function. */
    private final Map<Deployment, Map<String, Guard>> guards = new ConcurrentHashMap<>();
    private final Map<String, HttpService> mounts;
    private final Consumer<Activation> unserved;
    private final WebServer server;

    /**
     * Starts listening at once.
     *
     * @param authenticator whose the credentials that callers send are
     * @param registry where refused calls are counted
     * @param workers  how calls reach the workers
     * @param watchdog answers a call at its deadline, whatever its worker does
     * @param metrics  the platform's metrics, in Prometheus' text format
     * @param sandbox  what the health answer says of the sandbox app code runs in
     * @param mounts   more endpoints of the platform (git, admin), by path prefix
     * @param ready    whether the platform serves every app it was started with, for readiness probes
     * @param unserved takes the activation record of each call that no worker ran: refused here, or not delivered
     * @throws UncheckedIOException with a {@link BindException} when the address is taken
     */
    public Gateway(Router router, Authenticator authenticator, MeterRegistry registry, WireClient workers, Watchdog watchdog,
                   Supplier<String> metrics, String sandbox, GatewayConfig config, Map<String, HttpService> mounts, BooleanSupplier ready,
                   Consumer<Activation> unserved) {
        this.unserved = unserved;
        this.sandbox = sandbox;
        this.ready = ready;
        this.router = router;
        this.authenticator = authenticator;
        this.registry = registry;
        this.workers = workers;
        this.watchdog = watchdog;
        this.metrics = metrics;
        this.config = config;
        this.mounts = Map.copyOf(mounts);
        refuseTakenPort(config);
        this.server = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .shutdownHook(false)
                .routing(this::routes)
                .build()
                .start();
        // Helidon logs a failed bind and returns a server that is not running, on port -1.
        if (!server.isRunning() || server.port() < 0) {
            server.stop();
            throw new UncheckedIOException(new BindException(config.host() + ":" + config.port() + " cannot be bound"));
        }
    }

    /**
     * Fails at once, in one line, when another process holds the port: Helidon would log its own
     * stack trace first and return a server on port -1.
     */
    private static void refuseTakenPort(GatewayConfig config) {
        if (config.port() == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(config.host(), config.port()));
        } catch (IOException e) {
            throw new UncheckedIOException(new BindException(config.host() + ":" + config.port() + " cannot be bound: " + e.getMessage()));
        }
    }

    /** The port the gateway listens on. */
    public int port() {
        return server.port();
    }

    /** The gateway's base URL, such as {@code http://127.0.0.1:8080}. */
    public String url() {
        return "http://" + config.host() + ":" + port();
    }

    @Override
    public void close() {
        server.stop();
    }

    private void routes(HttpRouting.Builder routing) {
        routing.post("/fn/{name}", this::call)
                .any("/fn/{name}", (req, res) -> {
                    res.header(HeaderValues.create("Allow", "POST"));
                    error(res, Status.METHOD_NOT_ALLOWED_405, "method-not-allowed", req.prologue().method().text()
                            + " is not allowed here — call a function with POST /fn/" + req.path().pathParameters().get("name"));
                })
                .get("/fn", (req, res) -> send(res, Status.OK_200, list()))
                .get("/health", this::readiness)
                .get("/health/ready", this::readiness)
                .get("/health/live", (req, res) -> send(res, Status.OK_200, json.createObjectNode().put("status", "UP")))
                .get("/metrics", (req, res) -> res.header(HeaderValues.create("Content-Type", PROMETHEUS_TEXT)).send(metrics.get()))
                .any("/fn", (req, res) -> notAllowed(req, res, "GET"))
                .any("/health", (req, res) -> notAllowed(req, res, "GET"))
                .any("/health/ready", (req, res) -> notAllowed(req, res, "GET"))
                .any("/health/live", (req, res) -> notAllowed(req, res, "GET"))
                .any("/metrics", (req, res) -> notAllowed(req, res, "GET"));
        mounts.forEach(routing::register);
        routing.any((req, res) -> error(res, Status.NOT_FOUND_404, "not-found",
                "no endpoint at " + req.path().path() + " — use POST /fn/{name}, GET /fn, GET /health (/health/ready, /health/live) or GET /metrics"));
    }

    private void call(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        // Every answer names the entry call's span in the client's trace, or in a new one (W3C Trace Context).
        Trace trace = Trace.of(req.headers().first(TRACEPARENT).orElse(null));
        res.header(HeaderValues.create(TRACEPARENT, trace.traceparent()));
        Router.Target target = router.route(name);
        // A deployment that retired between its lookup and here is not called: the one that serves now is.
        while (target != null && !target.deployment().enter()) {
            target = router.route(name);
        }
        if (target == null) {
            error(res, Status.NOT_FOUND_404, "no-such-function", new NoSuchFunctionException(name).getMessage() + " — GET /fn lists the functions");
            return;
        }
        long started = System.nanoTime();
        try {
            call(req, res, name, target, trace);
        } catch (Unserved e) {
            long took = System.nanoTime() - started;
            Deployment deployment = target.deployment();
            unserved.accept(new Activation(trace.spanHex(), deployment.app(), name, deployment.id(), Activation.GATEWAY, "entry", false,
                    e.principal, trace.id(), trace.parentHex(),
                    Instant.now().minusNanos(took), took, 0, e.status, -1, -1, List.of(e.getMessage())));
        } finally {
            target.deployment().exit();
        }
    }

    /**
     * A call the gateway answered without its function having run, already answered: refused here,
     * or not delivered to its worker. No worker records it, so the gateway does.
     */
    private static final class Unserved extends RuntimeException {
        private final Activation.Status status;
        private final String principal;

        Unserved(Activation.Status status, String principal, String message) {
            super(message, null, false, false);
            this.status = status;
            this.principal = principal;
        }
    }

    /** Answers {@code res} with an error that is the function's call's whole story: the {@link Unserved} to throw. */
    private static Unserved unserved(ServerResponse res, Status status, String error, String message, String principal,
                                     Activation.Status recorded) {
        error(res, status, error, message);
        return new Unserved(recorded, principal, message);
    }

    /**
     * Calls {@code target}, counted on its deployment, for {@code req}.
     *
     * @throws Unserved when it answered without the function having run
     */
    private void call(ServerRequest req, ServerResponse res, String name, Router.Target target, Trace trace) {
        String principal = authorize(req, res, target.function());
        String type = mediaType(req.headers().first(HeaderNames.CONTENT_TYPE).orElse(""));
        if (!type.isEmpty() && !isJson(type)) {
            throw unserved(res, Status.UNSUPPORTED_MEDIA_TYPE_415, "unsupported-media-type",
                    "the body is " + type + " — send JSON with Content-Type: application/json", principal, Activation.Status.REFUSED);
        }
        OptionalLong length = req.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > config.maxBodyBytes()) {
            throw tooLarge(res, length.getAsLong(), principal);
        }
        byte[] body;
        try (InputStream in = req.content().inputStream()) {
            // A known length is read into a buffer of exactly that size; otherwise up to one byte past the limit.
            body = length.isPresent() ? in.readNBytes((int) length.getAsLong()) : in.readNBytes(config.maxBodyBytes() + 1);
        } catch (IOException | UncheckedIOException e) {
            throw unserved(res, Status.BAD_REQUEST_400, "unreadable-body", "the request body could not be read: " + e.getMessage(), principal,
                    Activation.Status.REFUSED);
        }
        if (body.length > config.maxBodyBytes()) {
            throw tooLarge(res, -1, principal);
        }
        try {
            byte[] output = forward(target.deployment(), target.function(), principal, body, trace);
            if (!target.function().shape().hasOutput()) {
                res.status(Status.NO_CONTENT_204).send();
            } else {
                res.header(HeaderValues.CONTENT_TYPE_JSON).send(output);
            }
        } catch (MalformedJsonException e) {
            // The worker read the body, and refused it before the function was called.
            throw unserved(res, Status.BAD_REQUEST_400, "malformed-json", e.getMessage(), principal, Activation.Status.REFUSED);
        } catch (BadInputException e) {
            throw unserved(res, Status.BAD_REQUEST_400, "bad-input", e.getMessage(), principal, Activation.Status.REFUSED);
        } catch (DeadlineExceededException e) {
            error(res, Status.GATEWAY_TIMEOUT_504, "deadline-exceeded", e.getMessage());
        } catch (ServiceUnavailableException e) {
            res.header(HeaderValues.create("Retry-After", 1));
            if (e.service().equals(target.function().service())) {
                // Its own worker was down: no worker ran it. (Another's, which the function called, is in the function's record.)
                throw unserved(res, Status.SERVICE_UNAVAILABLE_503, "service-unavailable", e.getMessage(), principal,
                        Activation.Status.PLATFORM_ERROR);
            }
            error(res, Status.SERVICE_UNAVAILABLE_503, "service-unavailable", e.getMessage());
        } catch (RefusedException e) {
            e.retryAfter().ifPresent(after -> res.header(HeaderValues.create("Retry-After", Math.max(1, (after.toMillis() + 999) / 1000))));
            error(res, Status.create(e.status()), e.code(), e.getMessage());
        } catch (FunctionFailedException e) {
            failed(res, e.errorId(), e.getMessage());
        } catch (RuntimeException | Error e) {
            String id = ErrorIds.next();
            LOG.log(System.Logger.Level.ERROR, "call of '" + name + "' failed, error id " + id + ", trace " + trace, e);
            failed(res, id, "'" + name + "' failed (error id " + id + ")");
        }
    }

    /**
     * Calls a function in its worker with a client's body, within the function's timeout, through
     * its error handler as any caller of it does (retries, waits, breaker, fallback: {@link Guard}):
     * at the deadline this thread is interrupted, which closes its connection, and the call ends
     * with {@link DeadlineExceededException} whatever the worker does.
     */
    private byte[] forward(Deployment deployment, Manifest.Function function, String principal, byte[] body, Trace trace) {
        long deadline = System.nanoTime() + function.timeout().toNanos();
        Watchdog.Alarm alarm = watchdog.arm(Thread.currentThread(), deadline);
        try {
            byte[] output = (byte[]) guard(deployment, function).call(null, trace, deadline, false, body,
                    new Entry(deployment, function, principal, trace), this::attempt, this::fallback);
            if (!alarm.disarm()) {
                throw new DeadlineExceededException(function.name(), function.timeout());
            }
            return output;
        } catch (RuntimeException e) {
            if (!alarm.disarm()) {
                throw new DeadlineExceededException(function.name(), function.timeout());
            }
            throw e;
        } finally {
            // An alarm that went off as the answer came must not disturb the writing of the response.
            Thread.interrupted();
        }
    }

    /** An operation's entry call: what each attempt of it, and its fallback, need besides the body. */
    private record Entry(Deployment deployment, Manifest.Function function, String principal, Trace trace) {
    }

    /** One attempt of an entry call: the body forwarded to the function's worker, wherever it is now. */
    private Object attempt(Object body, Entry entry, long deadline, int tries) {
        Manifest.Function function = entry.function();
        return workers.forward(entry.deployment().endpoints().get(function.service()), entry.deployment().app(), function.name(),
                function.service(), function.timeout(), deadline, entry.principal(), tries == 1 ? entry.trace() : entry.trace().again(),
                (byte[]) body);
    }

    /** The entry call of {@code name} in place of one that failed: through its own guard, as a stand-in. */
    private Object fallback(String name, Object body, Entry entry, long deadline) {
        Manifest.Function function = entry.deployment().functions().stream().filter(fn -> fn.name().equals(name)).findFirst().orElseThrow();
        return guard(entry.deployment(), function).call(null, entry.trace(), deadline, true, body,
                new Entry(entry.deployment(), function, entry.principal(), entry.trace().again()), this::attempt, this::fallback);
    }

    /** The error handler of the gateway's calls of {@code function}, made on its first call; it goes with its deployment. */
    private Guard guard(Deployment deployment, Manifest.Function function) {
        return guards.computeIfAbsent(deployment, d -> {
            d.closeWhenRetired(() -> {
                Map<String, Guard> gone = guards.remove(d);
                if (gone != null) {
                    gone.values().forEach(Guard::close);
                }
            });
            return new ConcurrentHashMap<>();
        }).computeIfAbsent(function.name(), name -> new Guard(registry, "gateway", deployment.app(), name, deployment.policies(name)));
    }

    /**
     * Whether the caller may call {@code function} through the gateway, by its access: the
     * principal the call runs for. A credential is a bearer token (RFC 6750): 401 with {@code WWW-Authenticate} when it is missing or not valid, 403 when
     * its scopes do not name the function; an internal function is refused to everyone (403).
     *
     * @throws Unserved when it was refused, answered
     */
    private String authorize(ServerRequest req, ServerResponse res, Manifest.Function function) {
        String name = function.name();
        if (function.access() == Access.INTERNAL) {
            throw refuse(res, Status.FORBIDDEN_403, Refusal.INTERNAL_FUNCTION, null, name, "'" + name
                    + "' is internal: only the app's own functions call it, never the gateway");
        }
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
        Credential credential = token == null || token.isEmpty() ? null : authenticator.authenticate(token);
        if (function.access() == Access.KEY) {
            if (header == null) {
                res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"nanolith\"");
                throw refuse(res, Status.UNAUTHORIZED_401, Refusal.NO_CREDENTIAL, null, name, "'" + name
                        + "' needs a credential — send an API key as 'Authorization: Bearer KEY' (./nanolith keys create makes one)");
            }
            if (credential == null) {
                res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"nanolith\", error=\"invalid_token\"");
                throw refuse(res, Status.UNAUTHORIZED_401, Refusal.INVALID_CREDENTIAL, null, name,
                        "the credential sent is not valid (unknown, revoked or expired) — send 'Authorization: Bearer KEY' with a valid key");
            }
            if (!credential.permits(name)) {
                res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"nanolith\", error=\"insufficient_scope\"");
                throw refuse(res, Status.FORBIDDEN_403, Refusal.OUT_OF_SCOPE, credential.principal(), name, "the credential of '"
                        + credential.principal() + "' has no scope that names '" + name + "' — its scopes are " + credential.scopes());
            }
        }
        String principal = credential != null ? credential.principal() : Caller.ANONYMOUS.principal();
        withinRateLimits(res, function, credential, principal);
        return principal;
    }

    /**
     * Counts the call against its credential's rate limit and its function's (for each caller;
     * callers without a credential share one allowance): past either, 429 with {@code Retry-After}.
     *
     * @throws Unserved past a limit, answered
     */
    private void withinRateLimits(ServerResponse res, Manifest.Function function, Credential credential, String principal) {
        RateLimit keyLimit = credential == null ? null : credential.rateLimit();
        Duration wait = keyLimit == null ? null : rateLimits.take("credential " + principal, keyLimit);
        if (wait != null) {
            throw tooMany(res, function.name(), principal, wait, "'" + principal + "' may make at most " + keyLimit + " calls");
        }
        // Callers without a credential share one allowance, apart from any credential's, whatever its principal.
        String caller = credential == null ? "without a credential" : "credential " + principal;
        wait = function.rateLimit() == null ? null : rateLimits.take("function " + function.name() + " " + caller, function.rateLimit());
        if (wait != null) {
            throw tooMany(res, function.name(), principal, wait, "'" + function.name() + "' takes at most " + function.rateLimit() + " calls from "
                    + (credential == null ? "callers without a credential" : "'" + principal + "'"));
        }
    }

    private Unserved tooMany(ServerResponse res, String function, String principal, Duration wait, String limit) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        res.header(HeaderValues.create("Retry-After", seconds));
        return refuse(res, Status.TOO_MANY_REQUESTS_429, Refusal.RATE_LIMITED, principal, function, limit + " — try again in " + seconds + " s");
    }

    /** Why the gateway refused a call: the {@code reason} label of the refusals' metric and the error code of the answer. */
    private enum Refusal {
        NO_CREDENTIAL, INVALID_CREDENTIAL, OUT_OF_SCOPE, INTERNAL_FUNCTION, RATE_LIMITED;

        private final String code = name().toLowerCase(Locale.ROOT).replace('_', '-');

        String code() {
            return code;
        }
    }

    /**
     * Answers a refused call, counts it by function and reason, and logs who was refused what, and
     * why: the {@link Unserved} to throw, denied (or refused, past a rate limit).
     */
    private Unserved refuse(ServerResponse res, Status status, Refusal reason, String principal, String function, String message) {
        Counter.builder("nanolith.gateway.refused").description("Calls the gateway refused for their credential, access or rate limit")
                .tags("function", function, "reason", reason.code()).register(registry).increment();
        LOG.log(System.Logger.Level.INFO, "refused a call of '" + function + "' to "
                + (principal != null ? "'" + principal + "'" : "a caller without a valid credential") + ": " + reason.code());
        return unserved(res, status, reason.code(), message, principal == null ? Caller.ANONYMOUS.principal() : principal,
                reason == Refusal.RATE_LIMITED ? Activation.Status.REFUSED : Activation.Status.DENIED);
    }

    private void failed(ServerResponse res, String errorId, String message) {
        ObjectNode body = Responses.errorBody("function-failed", message);
        body.put("errorId", errorId);
        send(res, Status.INTERNAL_SERVER_ERROR_500, body);
    }

    private Unserved tooLarge(ServerResponse res, long length, String principal) {
        return unserved(res, Status.REQUEST_ENTITY_TOO_LARGE_413, "payload-too-large", "the body"
                + (length >= 0 ? " has " + length + " bytes, over" : " is over") + " the limit of " + config.maxBodyBytes() + " bytes",
                principal, Activation.Status.REFUSED);
    }

    private void notAllowed(ServerRequest req, ServerResponse res, String allowed) {
        res.header(HeaderValues.create("Allow", allowed));
        error(res, Status.METHOD_NOT_ALLOWED_405, "method-not-allowed",
                req.prologue().method().text() + " is not allowed on " + req.path().path() + " — use " + allowed);
    }

    /**
     * The media type of a Content-Type header, without its parameters, in lower case (RFC 9110,
     * 8.3); read here rather than by the server, whose parser refuses a malformed header with an
     * empty 400 of its own.
     */
    private static String mediaType(String header) {
        return header.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    }

    private static boolean isJson(String mediaType) {
        return mediaType.equals("application/json") || (mediaType.startsWith("application/") && mediaType.endsWith("+json"));
    }

    private ArrayNode list() {
        ArrayNode list = json.createArrayNode();
        for (Deployment deployment : router.deployments()) {
            for (Manifest.Function function : deployment.functions()) {
                ObjectNode fn = list.addObject();
                fn.put("name", function.name());
                fn.put("app", deployment.app());
                fn.put("revision", deployment.id());
                fn.put("description", function.description());
                fn.put("timeout", Durations.format(function.timeout()));
                fn.put("access", function.access().word());
                fn.put("url", "/fn/" + function.name());
                // A function without input (a supplier) or output (a consumer) has no schema for it.
                if (function.input() != null) {
                    fn.set("input", function.input());
                }
                if (function.output() != null) {
                    fn.set("output", function.output());
                }
            }
        }
        return list;
    }

    /**
     * Whether the platform serves every app it was started with: 200 once it does, 503 while it
     * starts (as Kubernetes' readiness probes expect); {@code /health/live} answers 200 whenever
     * the process answers at all.
     */
    private void readiness(ServerRequest req, ServerResponse res) {
        boolean up = ready.getAsBoolean();
        send(res, up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, health(up ? "UP" : "STARTING"));
    }

    private ObjectNode health(String status) {
        ObjectNode health = json.createObjectNode().put("status", status).put("sandbox", sandbox);
        ObjectNode apps = health.putObject("apps");
        for (Deployment deployment : router.deployments()) {
            apps.putObject(deployment.app())
                    .put("revision", deployment.id())
                    .put("functions", deployment.functions().size())
                    .put("since", deployment.loadedAt().toString());
        }
        return health;
    }

    private static void error(ServerResponse res, Status status, String error, String message) {
        Responses.error(res, status, error, message);
    }

    private static void send(ServerResponse res, Status status, Object body) {
        Responses.json(res, status, body);
    }
}
