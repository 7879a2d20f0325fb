package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.placement.Placement;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standard error handler on calls between two workers of a real platform: a rate limit waited
 * out, a circuit breaker that opens, fails fast, half-opens and closes, a fallback for a callee
 * that hangs, a bulkhead that refuses at once, a retry budget that holds under a callee that always
 * fails, a worker killed under a loop of idempotent calls with no call failing, and the policies
 * that a push refuses at their line. And the same handler on a function's requests to HTTP hosts
 * outside the platform ({@code ctx.http()}), on loopback.
 */
class ResilienceTest {

    @TempDir
    static Path tmp;

    static Platform platform;
    static Http http;
    static LogCapture log;
    static ExternalHost api;
    /** A host with a circuit breaker, apart from the others so that their failures do not open it. */
    static ExternalHost breaking;

    @BeforeAll
    static void start() throws Exception {
        log = LogCapture.of("");
        api = ExternalHost.start();
        breaking = ExternalHost.start();
        platform = Platform.start(Platform.Options.loopback(0).placed(Placement.Mode.SERVICES)
                .with(Map.of("API_URL", api.url(), "BREAKING_URL", breaking.url())));
        http = new Http(platform.url());
        platform.deploy(TestApp.in(tmp.resolve("flaky")).yaml("""
                        app: flaky
                        access: public
                        functions:
                          back.failing:
                            idempotent: true
                            retry: {attempts: 1}
                            circuit-breaker: {failure-rate: 50%, window: 4, min-calls: 4, open-for: 2s}
                          back.hang:
                            timeout: 500ms
                            fallback: back.spare
                          back.narrow:
                            concurrency: 1
                            rate-limited: {max-wait: 1ms}
                          back.broken:
                            idempotent: true
                            retry: {attempts: 3, backoff: 1ms, max-backoff: 2ms}
                          back.steady:
                            idempotent: true
                          back.ping:
                            fallback: back.pong
                          back.pong:
                            fallback: back.ping
                          front.fetch:
                            timeout: 3s
                            hosts:
                              "${API_URL}":
                                retry: {backoff: 20ms}
                              "${BREAKING_URL}":
                                retry: {attempts: 1}
                                circuit-breaker: {failure-rate: 50%, window: 4, min-calls: 4, open-for: 2s}
                        services:
                          front: [front.*]
                          back: [back.*]
                        """)
                .source("front/Call.java", """
                        package front;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;

                        /** Calls the function its input names, before a colon, with what follows. */
                        public class Call implements Nano<String, String> {
                            public String apply(String input, Ctx ctx) {
                                int colon = input.indexOf(':');
                                return ctx.call(input.substring(0, colon), input.substring(colon + 1), String.class);
                            }
                        }
                        """)
                .source("front/Fetch.java", """
                        package front;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;
                        import java.net.URI;
                        import java.net.http.HttpClient;
                        import java.net.http.HttpRequest;
                        import java.net.http.HttpResponse;
                        import java.time.Duration;
                        import java.util.List;

                        /**
                         * Makes the request its input describes, "METHOD URL", then "key" for an Idempotency-Key, "300ms" for a timeout
                         * of its own, "async" to send it so, "close" to close the client first, "stream" for a body read from a stream
                         * once; answers "STATUS BODY", or the name of what the client threw.
                         */
                        public class Fetch implements Nano<String, String> {
                            public String apply(String input, Ctx ctx) throws Exception {
                                String[] words = input.split(" ");
                                List<String> options = List.of(words).subList(2, words.length);
                                java.io.InputStream once = new java.io.ByteArrayInputStream("{}".getBytes());
                                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(words[1])).method(words[0],
                                        options.contains("stream") ? HttpRequest.BodyPublishers.ofInputStream(() -> once)
                                                : HttpRequest.BodyPublishers.ofString("{}"));
                                for (String option : options) {
                                    if (option.equals("key")) {
                                        request.header("Idempotency-Key", "k-" + System.nanoTime());
                                    } else if (option.endsWith("ms")) {
                                        request.timeout(Duration.ofMillis(Long.parseLong(option.replace("ms", ""))));
                                    }
                                }
                                HttpClient client = ctx.http();
                                if (options.contains("close")) {
                                    client.close();
                                }
                                try {
                                    HttpResponse<String> response = options.contains("async")
                                            ? client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).join()
                                            : client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                                    return response.statusCode() + " " + response.body();
                                } catch (java.io.IOException e) {
                                    return e.getClass().getSimpleName();
                                }
                            }
                        }
                        """)
                .source("back/State.java", """
                        package back;

                        import java.util.Map;
                        import java.util.concurrent.ConcurrentHashMap;
                        import java.util.concurrent.atomic.AtomicInteger;

                        /** What the back service's functions are told to do, and how often they were called. */
                        public final class State {
                            static final Map<String, AtomicInteger> COUNTS = new ConcurrentHashMap<>();
                            static final AtomicInteger REFUSALS = new AtomicInteger();
                            static volatile boolean failing;

                            static int called(String function) {
                                return COUNTS.computeIfAbsent(function, f -> new AtomicInteger()).incrementAndGet();
                            }
                        }
                        """)
                .source("back/Control.java", """
                        package back;

                        import java.util.concurrent.atomic.AtomicInteger;

                        /** Sets what the others do ("refuse=2", "failing=true"), or answers how often one was called ("count=back.broken"). */
                        public class Control implements java.util.function.Function<String, String> {
                            public String apply(String order) {
                                String value = order.substring(order.indexOf('=') + 1);
                                switch (order.substring(0, order.indexOf('='))) {
                                    case "refuse" -> State.REFUSALS.set(Integer.parseInt(value));
                                    case "failing" -> State.failing = Boolean.parseBoolean(value);
                                    default -> {
                                        return String.valueOf(State.COUNTS.getOrDefault(value, new AtomicInteger()).get());
                                    }
                                }
                                return "ok";
                            }
                        }
                        """)
                .source("back/Limited.java", """
                        package back;

                        import dev.nanolith.RefusedException;
                        import java.time.Duration;

                        /** Refuses as often as it is told, asking to be called again in a second. */
                        public class Limited implements java.util.function.Function<String, String> {
                            public String apply(String input) {
                                State.called("back.limited");
                                if (State.REFUSALS.getAndDecrement() > 0) {
                                    throw RefusedException.unavailable("busy", "too many calls", Duration.ofSeconds(1));
                                }
                                return "served";
                            }
                        }
                        """)
                .source("back/Failing.java", behaviour("Failing", "back.failing", """
                        if (State.failing) {
                            throw new IllegalStateException("failing as told");
                        }
                        return "ok";"""))
                .source("back/Broken.java", behaviour("Broken", "back.broken", "throw new IllegalStateException(\"always broken\");"))
                .source("back/Steady.java", behaviour("Steady", "back.steady", "return \"steady\";"))
                .source("back/Hang.java", behaviour("Hang", "back.hang", """
                        try {
                            Thread.sleep(5_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return "late";"""))
                .source("back/Narrow.java", behaviour("Narrow", "back.narrow", """
                        try {
                            Thread.sleep(1_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return "done";"""))
                .source("back/Spare.java", behaviour("Spare", "back.spare", "return \"spare:\" + input;"))
                .source("back/Ping.java", behaviour("Ping", "back.ping", "throw new IllegalStateException(\"ping fails\");"))
                .source("back/Pong.java", behaviour("Pong", "back.pong", "throw new IllegalStateException(\"pong fails\");"))
                .write());
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
        api.close();
        breaking.close();
        log.close();
    }

    /** A function of the back service that counts its calls and then runs {@code body}. */
    static String behaviour(String name, String function, String body) {
        return """
                package back;

                public class %s implements java.util.function.Function<String, String> {
                    public String apply(String input) {
                        State.called("%s");
                        %s
                    }
                }
                """.formatted(name, function, body);
    }

    /** front.call's answer when it calls {@code function} with {@code input}. */
    static Http.Response through(String function, String input) {
        return http.post("/fn/front.call", "\"" + function + ":" + input + "\"");
    }

    static String control(String order) {
        Http.Response r = http.post("/fn/back.control", "\"" + order + "\"");
        assertEquals(200, r.status(), r.body());
        return r.json().asText();
    }

    static int calls(String function) {
        return Integer.parseInt(control("count=" + function));
    }

    /** What {@code nanolith_resilience_events_total} says of one event on the edge front.call → {@code callee}. */
    static double events(String callee, String event) {
        return metric("nanolith_resilience_events_total", "callee=\"" + callee + "\"", "caller=\"front.call\"", "event=\"" + event + "\"");
    }

    /** The sum of the series of {@code name} whose labels include every one of {@code labels}. */
    static double metric(String name, String... labels) {
        double sum = 0;
        Matcher series = Pattern.compile("^" + name + "\\{([^}]*)} (\\S+)$", Pattern.MULTILINE).matcher(http.get("/metrics").body());
        while (series.find()) {
            String found = series.group(1);
            if (List.of(labels).stream().allMatch(found::contains)) {
                sum += Double.parseDouble(series.group(2));
            }
        }
        return sum;
    }

    @Test
    void aRateLimitedCallIsWaitedOutAsTheCalleeAskedAndThenServed() {
        control("refuse=2");
        long start = System.nanoTime();
        Http.Response r = through("back.limited", "x");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, r.status(), r.body());
        assertEquals("served", r.json().asText());
        assertTrue(millis >= 2_000 && millis < 4_000, "answered after " + millis + " ms, not after two waits of 1 s");
        assertEquals(3, calls("back.limited"));
        assertEquals(2.0, events("back.limited", "rate-limit-wait"));
    }

    @Test
    void anOpenCircuitBreakerFailsCallsAtOnceThenLetsOneThroughAndClosesWhenItIsServed() throws Exception {
        control("failing=true");
        int before = calls("back.failing");
        for (int i = 0; i < 4; i++) {
            assertEquals(500, through("back.failing", "x").status());
        }
        assertEquals(before + 4, calls("back.failing"));
        Http.Response open = through("back.failing", "x");
        assertEquals(503, open.status(), open.body());
        assertEquals("circuit-open", open.json().path("error").asText());
        assertTrue(Integer.parseInt(open.retryAfter()) >= 1, open.retryAfter());
        assertEquals(before + 4, calls("back.failing"), "the open breaker let a call through");
        assertEquals(1.0, metric("nanolith_circuit_transitions_total", "callee=\"back.failing\"", "state=\"open\""));
        control("failing=false");
        Thread.sleep(2_100);
        for (int i = 0; i < 3; i++) {
            assertEquals(200, through("back.failing", "x").status());
        }
        assertEquals(1.0, metric("nanolith_circuit_transitions_total", "callee=\"back.failing\"", "state=\"half-open\""));
        assertEquals(1.0, metric("nanolith_circuit_transitions_total", "callee=\"back.failing\"", "state=\"closed\""));
        assertEquals(0.0, metric("nanolith_circuit_state", "callee=\"back.failing\""));
    }

    @Test
    void aCalleeThatHangsPastItsTimeoutIsAnsweredByItsFallback() throws Exception {
        long start = System.nanoTime();
        Http.Response r = through("back.hang", "x");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, r.status(), r.body());
        assertEquals("spare:x", r.json().asText());
        assertTrue(millis < 2_000, "answered after " + millis + " ms, not at the callee's 500 ms timeout");
        assertEquals(1.0, events("back.hang", "fallback"));
        LogRecord warned = log.record("'back.spare' answers for 'back.hang', called by 'front.call': 'back.hang' did not finish within 500 ms; trace ");
        assertTrue(warned.getMessage().startsWith("[front] "), warned.getMessage());
        assertEquals(Level.WARNING, warned.getLevel());
    }

    @Test
    void aFallbacksOwnFailureHasNoFallbackSoFallbacksNeverGoRound() {
        Http.Response r = through("back.ping", "x");
        assertEquals(500, r.status(), r.body());
        assertEquals(1, calls("back.ping"));
        assertEquals(1, calls("back.pong"));
        assertEquals(1.0, events("back.ping", "fallback"));
    }

    @Test
    void aFullBulkheadRefusesAtOnceSayingWhenToTryAgain() throws Exception {
        CompletableFuture<Http.Response> first = CompletableFuture.supplyAsync(() -> http.post("/fn/back.narrow", "\"x\""));
        Thread.sleep(300);
        long start = System.nanoTime();
        Http.Response second = http.post("/fn/back.narrow", "\"x\"");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(503, second.status(), second.body());
        assertEquals("bulkhead-full", second.json().path("error").asText());
        assertEquals("1", second.retryAfter());
        assertTrue(millis < 500, "refused after " + millis + " ms");
        assertEquals(200, first.get().status());
    }

    @Test
    void theRetryBudgetHoldsUnderACalleeThatFailsEveryCall() {
        int before = calls("back.broken");
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            assertEquals(500, through("back.broken", "x").status());
        }
        long windows = 1 + (System.nanoTime() - start) / 10_000_000_000L + 1;
        int received = calls("back.broken") - before;
        // Without a budget each call would be made 3 times, 150 in all; the budget allows 10% more, and 10 in each 10 s.
        assertTrue(received >= 50 && received <= 50 + 5 + 10 * windows, received + " calls received");
        assertTrue(events("back.broken", "budget-exhausted") > 0);
    }

    @Test
    void aWorkerKilledUnderALoopOfIdempotentCallsFailsNoCall() throws Exception {
        long pid = platform.servicePids().get("back");
        for (int i = 0; i < 40; i++) {
            if (i == 10) {
                ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            }
            Http.Response r = through("back.steady", "x");
            assertEquals(200, r.status(), "call " + i + ": " + r.body());
        }
        assertTrue(platform.servicePids().get("back") != pid, "the back worker was not started again");
        assertTrue(events("back.steady", "retry") > 0);
    }

    @Test
    void theGatewayWaitsOutARateLimitAndAWorkerStartedAgainForAnOperationsEntry() throws Exception {
        control("refuse=1");
        long start = System.nanoTime();
        Http.Response limited = http.post("/fn/back.limited", "\"x\"");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, limited.status(), limited.body());
        assertTrue(millis >= 1_000, "answered after " + millis + " ms, not after a wait of 1 s");
        long pid = platform.servicePids().get("back");
        for (int i = 0; i < 30; i++) {
            if (i == 10) {
                ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            }
            Http.Response r = http.post("/fn/back.steady", "\"x\"");
            assertEquals(200, r.status(), "call " + i + ": " + r.body());
        }
        assertTrue(metric("nanolith_resilience_events_total", "callee=\"back.steady\"", "caller=\"entry\"", "event=\"retry\"") > 0);
    }

    /** front.fetch's answer to {@code request}: {@code METHOD URL [key] [async] [close] [stream] [NNNms]}. */
    static Http.Response fetch(String request) {
        return http.post("/fn/front.fetch", "\"" + request + "\"");
    }

    /** What {@code nanolith_resilience_events_total} says of one event on the edge front.fetch → {@code origin}. */
    static double hostEvents(String origin, String event) {
        return metric("nanolith_resilience_events_total", "callee=\"" + origin + "\"", "caller=\"front.fetch\"", "event=\"" + event + "\"");
    }

    /** How many attempts front.fetch made of requests to {@code host}, as its edge in the metrics counts them. */
    static double attempts(ExternalHost host) {
        return metric("nanolith_edge_duration_seconds_count", "caller=\"front.fetch\"", "callee=\"" + host.url() + "\"", "kind=\"external\"");
    }

    @AfterEach
    void forgetTheScripts() {
        api.reset();
        breaking.reset();
    }

    @Test
    void anExternalHostsRateLimitIsWaitedOutAndEachAttemptIsOnItsEdge() {
        double waits = hostEvents(api.url(), "rate-limit-wait");
        double attempts = attempts(api);
        int before = api.received();
        api.script(new ExternalHost.Answer(429, "1", 0), new ExternalHost.Answer(503, "1", 0));
        long start = System.nanoTime();
        Http.Response r = fetch("POST " + api.url() + "/orders");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("200 fine", r.json().asText(), r.body());
        assertTrue(millis >= 2_000 && millis < 3_000, "answered after " + millis + " ms, not after two waits of 1 s");
        assertEquals(before + 3, api.received());
        assertEquals(waits + 2, hostEvents(api.url(), "rate-limit-wait"));
        assertEquals(attempts + 3, attempts(api));

        // Retry-After as an HTTP date (RFC 9110 §10.2.3), whole seconds: two seconds ahead is a wait of one to two.
        api.script(new ExternalHost.Answer(503, DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(2)), 0));
        start = System.nanoTime();
        r = fetch("GET " + api.url() + "/orders");
        millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("200 fine", r.json().asText(), r.body());
        assertTrue(millis >= 900 && millis < 2_900, "answered after " + millis + " ms, not after the date asked");
        assertEquals(waits + 3, hostEvents(api.url(), "rate-limit-wait"));

        // Longer than rate-limited.max-wait (5 s): the function gets the answer at once.
        api.script(new ExternalHost.Answer(429, "30", 0));
        start = System.nanoTime();
        assertEquals("429 status 429", fetch("GET " + api.url() + "/orders").json().asText());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 1_000);
        assertEquals(before + 6, api.received());
    }

    @Test
    void aFailedRequestIsMadeAgainOnlyWhenItIsIdempotent() {
        int before = api.received();
        for (int status : new int[] {500, 502, 503, 504}) {
            api.script(ExternalHost.Answer.status(status));
            assertEquals(status + " status " + status, fetch("POST " + api.url() + "/pay").json().asText(), "a POST may have acted");
        }
        assertEquals(before + 4, api.received());

        api.script(ExternalHost.Answer.status(500), ExternalHost.Answer.status(503));
        assertEquals("200 fine", fetch("POST " + api.url() + "/pay key").json().asText());
        List<String> keyed = api.requests().subList(before + 4, before + 7);
        assertEquals(1, keyed.stream().distinct().count(), "the same request, with its key, three times: " + keyed);

        api.script(ExternalHost.Answer.status(502), ExternalHost.Answer.status(408));
        assertEquals("200 fine", fetch("GET " + api.url() + "/orders/1").json().asText());
        api.script(ExternalHost.Answer.status(501));
        assertEquals("501 status 501", fetch("GET " + api.url() + "/orders/1").json().asText(), "no retry mends a 501");
        api.script(ExternalHost.Answer.status(502));
        assertEquals("502 status 502", fetch("PUT " + api.url() + "/orders/1 stream").json().asText(), "a stream went, and is spent");
        assertEquals(before + 12, api.received());
    }

    @Test
    void aHostThatCannotBeReachedIsTriedAgainThenTheFunctionSeesTheFailure() {
        // Port 1 on loopback: nothing listens there.
        String closed = "http://127.0.0.1:1";
        double retries = hostEvents(closed, "retry");
        Http.Response r = fetch("POST " + closed + "/pay");
        assertEquals("ConnectException", r.json().asText(), r.body());
        assertEquals(retries + 2, hostEvents(closed, "retry"));
    }

    @Test
    void aRequestTakesTheTimeItsCallHasLeftOrItsOwnTimeoutIfShorter() {
        int before = api.received();
        ExternalHost.Answer slow = new ExternalHost.Answer(200, null, 6_000);
        api.script(slow, slow, slow);
        long start = System.nanoTime();
        Http.Response own = fetch("GET " + api.url() + "/slow 250ms");
        long millis = (System.nanoTime() - start) / 1_000_000;
        // A GET that timed out may go again: three times 250 ms.
        assertEquals("HttpTimeoutException", own.json().asText(), own.body());
        assertTrue(millis >= 750 && millis < 2_000, "answered after " + millis + " ms");
        assertEquals(before + 3, api.received());

        api.always(slow);
        start = System.nanoTime();
        Http.Response late = fetch("POST " + api.url() + "/slow");
        millis = (System.nanoTime() - start) / 1_000_000;
        // No timeout of its own: the request ends at the call's deadline, 3 s, not at the host's 6 s; a POST is not made again.
        // Two clocks end it there, the request's timeout and the call's own: whichever is first, the function sees the timeout
        // (HttpTimeoutException) or is interrupted (504).
        assertTrue(late.status() == 504 || late.body().contains("HttpTimeoutException"), late.body());
        assertTrue(millis >= 2_900 && millis < 4_500, "answered after " + millis + " ms");
        assertEquals(before + 4, api.received());
    }

    @Test
    void anAsynchronousRequestAndAClientClosedByTheFunctionGetTheSameHandling() {
        int before = api.received();
        api.script(ExternalHost.Answer.status(502));
        assertEquals("200 fine", fetch("GET " + api.url() + "/orders async").json().asText());
        api.script(ExternalHost.Answer.status(502));
        assertEquals("200 fine", fetch("GET " + api.url() + "/orders close").json().asText(), "closing the call's client closes nothing");
        assertEquals(before + 4, api.received());
    }

    @Test
    void anExternalHostsCircuitBreakerOpensFailsAtOnceThenClosesWhenServed() throws Exception {
        breaking.always(ExternalHost.Answer.status(502));
        for (int i = 0; i < 4; i++) {
            assertEquals("502 status 502", fetch("GET " + breaking.url() + "/rates").json().asText());
        }
        int reached = breaking.received();
        Http.Response open = fetch("GET " + breaking.url() + "/rates");
        assertEquals(503, open.status(), open.body());
        assertEquals("circuit-open", open.json().path("error").asText());
        assertTrue(open.json().path("message").asText().startsWith("'" + breaking.url() + "' is failing: its circuit breaker is open"));
        assertTrue(Integer.parseInt(open.retryAfter()) >= 1, open.retryAfter());
        assertEquals(reached, breaking.received(), "the open breaker let a request through");
        assertEquals(1.0, metric("nanolith_circuit_transitions_total", "callee=\"" + breaking.url() + "\"", "state=\"open\""));
        breaking.always(null);
        Thread.sleep(2_100);
        for (int i = 0; i < 3; i++) {
            assertEquals("200 fine", fetch("GET " + breaking.url() + "/rates").json().asText());
        }
        assertEquals(1.0, metric("nanolith_circuit_transitions_total", "callee=\"" + breaking.url() + "\"", "state=\"closed\""));
        assertEquals(0.0, metric("nanolith_circuit_state", "callee=\"" + breaking.url() + "\""));
    }

    @Test
    void hostsThatAreNotOriginsAreRefusedAtTheirLine() {
        assertEquals(List.of(
                "nanolith.yaml:5: 'psp.example' is not an origin — write scheme://host[:port] with nothing after it, such as"
                        + " https://psp.example or http://127.0.0.1:8081",
                "nanolith.yaml:7: 'https://PSP.example:443/' is the origin of 'https://psp.example' too — give each host once",
                "nanolith.yaml:8: attempts must be 1 or more — 1 makes a call once, never again"), refused("""
                app: wrong
                functions:
                  w.one:
                    hosts:
                      psp.example: {retry: {attempts: 2}}
                      https://psp.example: {}
                      https://PSP.example:443/:
                        retry: {attempts: 0}
                """));
        assertEquals(List.of("nanolith.yaml:5: unknown key 'fallback' in functions.w.one.hosts.https://psp.example — use circuit-breaker,"
                + " rate-limited, retry"), refused("""
                app: wrong
                functions:
                  w.one:
                    hosts:
                      https://psp.example: {fallback: w.two}
                """));
    }

    @Test
    void policiesThatCannotWorkAreRefusedAtTheirLine() {
        String yaml = """
                app: wrong
                functions:
                  w.one:
                    retry: {attempts: 3, tries: 2}
                  w.two:
                    retry: {on: [unknown-outcome], jitter: 100%}
                    fallback: w.three
                  w.three:
                    circuit-breaker: {failure-rate: 150%, open-for: 0s}
                    concurrency: 0
                """;
        assertEquals(List.of("nanolith.yaml:4: unknown key 'tries' in functions.w.one.retry — use attempts, backoff, budget, jitter, max-backoff, on"),
                refused(yaml));
        yaml = yaml.replace(", tries: 2", "");
        assertEquals(List.of("nanolith.yaml:9: functions.w.three.circuit-breaker.open-for: a duration of zero is not allowed — give at least 1ms"),
                refused(yaml));
        yaml = yaml.replace(", open-for: 0s", "");
        assertEquals(List.of(
                "nanolith.yaml:6: jitter must be below 100% — a wait of 100ms with jitter 50% is drawn from 50ms to 150ms",
                "nanolith.yaml:6: 'w.two' is not idempotent: a call whose outcome is unknown may have acted, and must not be made again"
                        + " — declare functions.w.two.idempotent: true if calling it twice does no harm, or retry only transient failures",
                "nanolith.yaml:9: '150%' is not a share — write a percentage from 0% to 100%, such as 10%",
                "nanolith.yaml:10: concurrency must be 1 or more — it is how many calls of 'w.three' may run at once"), refused(yaml));
        assertEquals(List.of("nanolith.yaml:9: failure-rate must be above 0% — it is the share of failed calls that opens the breaker,"
                + " such as 50%"), refused(yaml.replace("on: [unknown-outcome], jitter: 100%", "attempts: 2").replace("150%", "0%")
                .replace("concurrency: 0", "concurrency: 4")));
        yaml = yaml.replace("on: [unknown-outcome], jitter: 100%", "attempts: 2").replace("150%", "50%").replace("concurrency: 0", "concurrency: 4");
        assertEquals(List.of("nanolith.yaml:7: fallback 'w.three' takes java.lang.Integer and returns java.lang.String, but 'w.two' takes"
                + " java.lang.String and returns java.lang.String — a fallback takes and returns what the function it stands in for does"),
                refused(yaml));
    }

    /** The problems a deploy of the app "wrong" with {@code yaml} is refused with. */
    static List<String> refused(String yaml) {
        TestApp app = TestApp.in(tmp.resolve("wrong")).yaml(yaml)
                .source("w/One.java", "package w;\npublic class One implements java.util.function.Function<String, String> {\n"
                        + "    public String apply(String s) { return s; }\n}\n")
                .source("w/Two.java", "package w;\npublic class Two implements java.util.function.Function<String, String> {\n"
                        + "    public String apply(String s) { return s; }\n}\n")
                .source("w/Three.java", "package w;\npublic class Three implements java.util.function.Function<Integer, String> {\n"
                        + "    public String apply(Integer i) { return \"\" + i; }\n}\n");
        return assertThrows(LoadException.class, () -> platform.deploy(app.write())).problems().stream().map(Object::toString).toList();
    }
}
