package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.placement.Placement;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standard error handler on calls between two workers of a real platform: a rate limit waited
 * out, a circuit breaker that opens, fails fast, half-opens and closes, a fallback for a callee
 * that hangs, a bulkhead that refuses at once, a retry budget that holds under a callee that always
 * fails, a worker killed under a loop of idempotent calls with no call failing, and the policies
 * that a push refuses at their line.
 */
class ResilienceTest {

    @TempDir
    static Path tmp;

    static Platform platform;
    static Http http;
    static LogCapture log;

    @BeforeAll
    static void start() throws Exception {
        log = LogCapture.of("");
        platform = Platform.start(Platform.Options.loopback(0).placed(Placement.Mode.SERVICES));
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
        assertTrue(log.line("'back.spare' answers for 'back.hang', called by 'front.call': 'back.hang' did not finish within 500 ms; trace ")
                .startsWith("[front] WARNING"));
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
