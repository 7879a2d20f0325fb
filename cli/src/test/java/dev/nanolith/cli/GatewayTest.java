package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nanolith.deploy.Workers;
import dev.nanolith.gateway.GatewayConfig;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's contract, against a real platform serving a real app over HTTP on loopback. */
class GatewayTest {

    static final int MAX_BODY = 4096;

    @TempDir
    static Path dir;
    static Platform platform;
    static Http http;
    static LogCapture workerLog;

    @BeforeAll
    static void start() throws Exception {
        workerLog = LogCapture.of(Workers.class.getName());
        platform = Platform.start(new Platform.Options(new GatewayConfig("127.0.0.1", 0, MAX_BODY), Duration.ofSeconds(5), Map.of(), null));
        platform.deploy(greetApp(dir.resolve("greet")));
        http = new Http(platform.url());
    }

    @AfterAll
    static void stop() {
        platform.close();
        workerLog.close();
    }

    static Path greetApp(Path at) {
        return TestApp.in(at)
                .yaml("""
                        app: greet
                        functions:
                          greet.hello:
                            config:
                              greeting: Hello
                          greet.slow:
                            timeout: 300ms
                          greet.spin:
                            timeout: 300ms
                        """)
                .source("demo/greet/Hello.java", """
                        package demo.greet;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;

                        /** Greets someone by {@code name}, see {@link Greeting}. More text that is not the first sentence. */
                        public final class Hello implements Nano<Hello.Who, Hello.Greeting> {
                            public record Who(String name) {}
                            public record Greeting(String text) {}

                            @Override
                            public Greeting apply(Who who, Ctx ctx) {
                                return new Greeting(ctx.config("greeting") + ", " + ctx.call("greet.upper", who.name(), String.class) + "!");
                            }
                        }
                        """)
                .source("demo/greet/Upper.java", """
                        package demo.greet;

                        import java.util.function.Function;

                        /** Upper-cases a text. */
                        public final class Upper implements Function<String, String> {
                            @Override
                            public String apply(String text) {
                                if (text.equals("boom")) {
                                    throw new IllegalStateException("the secret reason");
                                }
                                return text.toUpperCase();
                            }
                        }
                        """)
                .source("demo/greet/Slow.java", """
                        package demo.greet;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;

                        /** Sleeps for the given milliseconds. */
                        public final class Slow implements Nano<Integer, String> {
                            @Override
                            public String apply(Integer millis, Ctx ctx) throws InterruptedException {
                                Thread.sleep(millis);
                                return "slept " + millis;
                            }
                        }
                        """)
                .source("demo/greet/Spin.java", """
                        package demo.greet;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;

                        /** Burns CPU for the given milliseconds, deaf to interruption. */
                        public final class Spin implements Nano<Integer, String> {
                            @Override
                            public String apply(Integer millis, Ctx ctx) {
                                long end = System.nanoTime() + millis * 1_000_000L;
                                while (System.nanoTime() < end) {
                                    Thread.onSpinWait();
                                }
                                return "spun";
                            }
                        }
                        """)
                .source("demo/greet/Patient.java", """
                        package demo.greet;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.DeadlineExceededException;
                        import dev.nanolith.Nano;

                        /** Calls greet.slow and reports whether it kept its deadline. */
                        public final class Patient implements Nano<Integer, String> {
                            @Override
                            public String apply(Integer millis, Ctx ctx) {
                                try {
                                    return ctx.call(Slow.class, millis);
                                } catch (DeadlineExceededException e) {
                                    return "gave up: " + e.getMessage();
                                }
                            }
                        }
                        """)
                .source("demo/greet/Find.java", """
                        package demo.greet;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;
                        import dev.nanolith.RefusedException;
                        import java.time.Duration;

                        /** Finds nobody, for one reason or another. */
                        public final class Find implements Nano<String, String> {
                            @Override
                            public String apply(String who, Ctx ctx) {
                                throw switch (who) {
                                    case "busy" -> RefusedException.unavailable("busy", "the directory is busy — try again in 7 s", Duration.ofSeconds(7));
                                    default -> RefusedException.notFound("no-such-person", "nobody is called " + who);
                                };
                            }
                        }
                        """)
                .source("demo/orders/Place.java", """
                        package demo.orders;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;
                        import java.util.List;
                        import java.util.Optional;

                        /** Counts the items of an order. */
                        public final class Place implements Nano<Place.Order, Integer> {
                            public record Line(String sku, int qty) {}
                            public record Order(String customer, List<Line> lines, Optional<String> note) {}

                            @Override
                            public Integer apply(Order order, Ctx ctx) {
                                return order.lines().stream().mapToInt(Line::qty).sum();
                            }
                        }
                        """)
                .write();
    }

    @Test
    void callsAFunctionWithJsonAndItsCalleeThroughTheContext() {
        Http.Response r = http.post("/fn/greet.hello", "{\"name\":\"ada\"}");
        assertEquals(200, r.status(), r.body());
        assertTrue(r.contentType().startsWith("application/json"), r.contentType());
        assertEquals("{\"text\":\"Hello, ADA!\"}", r.body());
    }

    @Test
    void readsNestedRecordsAndOptionalFields() {
        Http.Response r = http.post("/fn/orders.place", "{\"customer\":\"c1\",\"lines\":[{\"sku\":\"a\",\"qty\":2},{\"sku\":\"b\",\"qty\":3}]}");
        assertEquals(200, r.status(), r.body());
        assertEquals("5", r.body());
    }

    @Test
    void malformedJsonIsDescribedByLineColumnAndWhatWasExpected() {
        Map<String, String> cases = Map.of(
                "{\"name\":\"Ada\",}", "malformed JSON at line 1, column 15: expected a field name in double quotes, found '}' — remove the comma before it",
                "{'name':'Ada'}", "malformed JSON at line 1, column 2: expected a field name in double quotes, or }, found \"'\" (JSON strings and field names are in double quotes)",
                "{\n  \"name\": Ada\n}", "malformed JSON at line 2, column 11: expected a value (an object, an array, a string in double quotes, a number, true, false or null), found 'Ada'",
                "{\"name\":", "malformed JSON at line 1, column 9: expected a value, found the end of the body (the object opened at line 1, column 1 is not closed)",
                "{\"name\" \"Ada\"}", "malformed JSON at line 1, column 9: expected ':' after the field name, found '\"'",
                "{\"name\":\"Ada\"} {}", "malformed JSON at line 1, column 16: expected the end of the body after one JSON value, found '{'",
                "name=Ada", "malformed JSON at line 1, column 1: expected a value (an object, an array, a string in double quotes, a number, true, false or null), found 'name'",
                "{\"name\":\"Ada\",\"name\":\"Bob\"}", "malformed JSON at line 1, column 15: field 'name' is given twice in one object — give it once");
        cases.forEach((body, message) -> assertBadRequest("/fn/greet.hello", body, "malformed-json", message));
        String deep = "[".repeat(MAX_BODY - 10);
        assertTrue(http.post("/fn/greet.hello", deep).json().path("message").asText().matches(
                "malformed JSON at line 1, column \\d+: nested deeper than \\d+ levels"), "a body nested too deep is refused, not a stack overflow");
    }

    static void assertBadRequest(String path, String body, String error, String message) {
        Http.Response r = http.post(path, body);
        assertEquals(400, r.status(), body);
        assertEquals(error, r.json().path("error").asText(), body);
        assertEquals(message, r.json().path("message").asText(), body);
    }

    @Test
    void aMisspeltFieldIsNamedWithTheFieldItWasMeantToBeEvenWhenThatOneIsMissing() {
        assertBadRequest("/fn/greet.hello", "{\"nmae\":\"Ada\"}", "bad-input", "field 'nmae' is not part of the input — did you mean 'name'?");
        assertBadRequest("/fn/orders.place", "{\"customer\":\"c1\",\"lines\":[{\"sku\":\"a\",\"qyt\":2}]}", "bad-input",
                "field 'lines[0].qyt' is not part of 'lines[0]' — did you mean 'qty'?");
    }

    @Test
    void aValueOfAnotherJsonKindIsRefusedNotCoerced() {
        Map<String, String> cases = Map.of(
                "{\"name\":42}", "field 'name' must be a string, not the number 42",
                "{\"name\":true}", "field 'name' must be a string, not true",
                "{\"name\":{\"first\":\"Ada\"}}", "field 'name' must be a string, not an object",
                "[\"Ada\"]", "the input must be an object, not an array",
                "null", "the input is null — send the input as JSON (GET /fn shows its schema)");
        cases.forEach((body, message) -> assertBadRequest("/fn/greet.hello", body, "bad-input", message));
        assertBadRequest("/fn/orders.place", "{\"customer\":\"c1\",\"lines\":[{\"sku\":\"a\",\"qty\":\"2\"}]}", "bad-input",
                "field 'lines[0].qty' must be a whole number, not the string \"2\"");
        assertBadRequest("/fn/orders.place", "{\"customer\":\"c1\",\"lines\":[{\"sku\":\"a\",\"qty\":2.5}]}", "bad-input",
                "field 'lines[0].qty' must be a whole number, not the number 2.5");
        assertBadRequest("/fn/orders.place", "{\"customer\":7,\"lines\":[]}", "bad-input", "field 'customer' must be a string, not the number 7");
        assertBadRequest("/fn/orders.place", "{\"customer\":\"c1\",\"lines\":[null]}", "bad-input", "field 'lines[0]' must not be null");
    }

    @Test
    void inputThatDoesNotFitIs400NamingTheField() {
        Http.Response wrongType = http.post("/fn/orders.place", "{\"customer\":\"c1\",\"lines\":[{\"sku\":\"a\",\"qty\":\"many\"}]}");
        assertEquals(400, wrongType.status());
        assertEquals("bad-input", wrongType.json().path("error").asText());
        assertTrue(wrongType.json().path("message").asText().startsWith("field 'lines[0].qty'"), wrongType.body());

        Http.Response missing = http.post("/fn/orders.place", "{\"lines\":[]}");
        assertEquals(400, missing.status());
        assertEquals("field 'customer' is missing", missing.json().path("message").asText());

        Http.Response unknown = http.post("/fn/orders.place", "{\"customer\":\"c1\",\"lines\":[],\"coupon\":\"x\"}");
        assertEquals(400, unknown.status());
        assertEquals("field 'coupon' is not part of the input — its fields are customer, lines, note", unknown.json().path("message").asText());

        Http.Response empty = http.post("/fn/orders.place", "");
        assertEquals(400, empty.status());
        assertTrue(empty.json().path("message").asText().startsWith("the body is empty"), empty.body());
    }

    @Test
    void aFunctionsRefusalReachesTheClientWithItsStatusAndMessage() {
        Http.Response notFound = http.post("/fn/greet.find", "\"ada\"");
        assertEquals(404, notFound.status());
        assertEquals("{\"error\":\"no-such-person\",\"message\":\"nobody is called ada\"}", notFound.body());
        Http.Response busy = http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/fn/greet.find"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("\"busy\"")));
        assertEquals(503, busy.status());
        assertEquals("busy", busy.json().path("error").asText());
        assertEquals("the directory is busy — try again in 7 s", busy.json().path("message").asText());
        assertEquals("7", busy.retryAfter());
    }

    @Test
    void aSecondPlatformOnATakenPortFailsToStartAndSaysWhy() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> Platform.start(Platform.Options.loopback(platform.port())));
        assertTrue(e.getCause() instanceof java.net.BindException, e.toString());
        assertEquals("127.0.0.1:" + platform.port() + " cannot be bound: Address already in use", e.getCause().getMessage());
        assertEquals(200, http.post("/fn/greet.hello", "{\"name\":\"still\"}").status());
    }

    @Test
    void unknownFunctionIs404() {
        Http.Response r = http.post("/fn/greet.nobody", "{}");
        assertEquals(404, r.status());
        assertEquals("no-such-function", r.json().path("error").asText());
        assertTrue(r.json().path("message").asText().contains("'greet.nobody'"), r.body());
        assertEquals(404, http.get("/nowhere").status());
    }

    @Test
    void wrongMethodIs405() {
        Http.Response get = http.get("/fn/greet.hello");
        assertEquals(405, get.status());
        assertEquals("method-not-allowed", get.json().path("error").asText());
        assertEquals("POST", get.allow());
        Http.Response delete = http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/fn")).DELETE());
        assertEquals(405, delete.status());
    }

    @Test
    void bodyOverTheLimitIs413WithOrWithoutContentLength() {
        String big = "{\"name\":\"" + "x".repeat(MAX_BODY) + "\"}";
        Http.Response sized = http.post("/fn/greet.hello", big);
        assertEquals(413, sized.status());
        assertEquals("payload-too-large", sized.json().path("error").asText());
        Http.Response chunked = http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/fn/greet.hello"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes()))));
        assertEquals(413, chunked.status());
        assertEquals(200, http.post("/fn/greet.hello", "{\"name\":\"after\"}").status());
    }

    @Test
    void aContentTypeIsReadByItsMediaTypeAndAMalformedOneIsAnsweredInJson() {
        for (String type : List.of("application/json;", "Application/JSON; charset=utf-8", "application/problem+json")) {
            Http.Response r = http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/fn/greet.hello"))
                    .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"ada\"}")));
            assertEquals(200, r.status(), type + ": " + r.body());
        }
        for (String type : List.of("json", "text/plain;;", "application/xml; charset")) {
            Http.Response r = http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/fn/greet.hello"))
                    .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"ada\"}")));
            assertEquals(415, r.status(), type);
            assertEquals("unsupported-media-type", r.json().path("error").asText(), type);
        }
    }

    @Test
    void bodyThatIsNotJsonIs415() {
        Http.Response r = http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/fn/greet.hello"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("name=ada")));
        assertEquals(415, r.status());
        assertEquals("unsupported-media-type", r.json().path("error").asText());
    }

    @Test
    void failureIs500WithAnErrorIdThatIsInTheLogAndNoDetails() throws InterruptedException {
        Http.Response r = http.post("/fn/greet.hello", "{\"name\":\"boom\"}");
        assertEquals(500, r.status());
        JsonNode body = r.json();
        assertEquals("function-failed", body.path("error").asText());
        String id = body.path("errorId").asText();
        assertTrue(id.matches("e-[0-9a-f]{12}"), id);
        assertTrue(!r.body().contains("the secret reason") && !r.body().contains("Exception"), r.body());
        // The worker's log line names the function and the error id, under the function's logger; the cause follows it.
        assertTrue(workerLog.lineAfter("'greet.upper' failed, error id " + id).endsWith("Exception: the secret reason"),
                "the log has the error id with its cause");
        assertEquals("fn.greet.upper", workerLog.record("'greet.upper' failed, error id " + id).getLoggerName());
    }

    @Test
    void timeoutIs504AtTheDeadlineAndTheFunctionIsInterrupted() {
        long start = System.nanoTime();
        Http.Response r = http.post("/fn/greet.slow", "3000");
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(504, r.status());
        assertEquals("deadline-exceeded", r.json().path("error").asText());
        assertEquals("'greet.slow' did not finish within 300 ms", r.json().path("message").asText());
        assertTrue(tookMillis < 2500, "answered at the deadline, not when the sleep would have ended: " + tookMillis + " ms");
        assertEquals("\"slept 10\"", http.post("/fn/greet.slow", "10").body());
    }

    @Test
    void aFunctionThatIgnoresInterruptionHasItsResultDroppedWith504() {
        Http.Response r = http.post("/fn/greet.spin", "600");
        assertEquals(504, r.status());
        assertEquals("deadline-exceeded", r.json().path("error").asText());
    }

    @Test
    void aNestedCallKeepsItsOwnTighterDeadline() {
        Http.Response r = http.post("/fn/greet.patient", "2000");
        assertEquals(200, r.status(), r.body());
        assertEquals("\"gave up: 'greet.slow' did not finish within 300 ms\"", r.body());
    }

    @Test
    void listsFunctionsWithDescriptionAndSchemas() {
        JsonNode list = http.get("/fn").json();
        JsonNode hello = null;
        for (JsonNode fn : list) {
            if (fn.path("name").asText().equals("greet.hello")) {
                hello = fn;
            }
        }
        assertEquals(7, list.size(), list.toString());
        assertTrue(hello != null, list.toString());
        assertEquals("Greets someone by name, see Greeting.", hello.path("description").asText());
        assertEquals("greet", hello.path("app").asText());
        assertEquals("object", hello.path("input").path("type").asText());
        assertEquals("string", hello.path("input").path("properties").path("name").path("type").asText());
        assertEquals("name", hello.path("input").path("required").path(0).asText());
        assertEquals("string", hello.path("output").path("properties").path("text").path("type").asText());
    }

    @Test
    void readinessWaitsForEveryAppAndLivenessOnlyForTheProcess() {
        assertEquals(200, http.get("/health/ready").status());
        assertEquals("{\"status\":\"UP\"}", http.get("/health/live").body());
        try (Platform starting = Platform.starting(Platform.Options.loopback(0))) {
            Http probes = new Http(starting.url());
            Http.Response notYet = probes.get("/health");
            assertEquals(503, notYet.status());
            assertEquals("STARTING", notYet.json().path("status").asText());
            assertEquals(503, probes.get("/health/ready").status());
            assertEquals(200, probes.get("/health/live").status());
            starting.ready();
            assertEquals(200, probes.get("/health").status());
            assertEquals(200, probes.get("/health/ready").status());
        }
    }

    @Test
    void healthNamesEachAppsRevision() {
        JsonNode health = http.get("/health").json();
        assertEquals("UP", health.path("status").asText());
        assertEquals(7, health.path("apps").path("greet").path("functions").asInt());
        assertTrue(health.path("apps").path("greet").path("revision").asText().startsWith("r"));
    }

    @Test
    void metricsCountInvocationsErrorsAndLatencyPerFunction() {
        http.post("/fn/greet.hello", "{\"name\":\"x\"}");
        http.post("/fn/greet.hello", "{\"name\":\"boom\"}");
        Http.Response r = http.get("/metrics");
        assertEquals(200, r.status());
        assertTrue(r.contentType().startsWith("text/plain"), r.contentType());
        double calls = metric(r.body(), "nanolith_function_invocations_total{app=\"greet\",function=\"greet.upper\",service=\"greet\"}");
        double errors = metric(r.body(), "nanolith_function_errors_total{app=\"greet\",function=\"greet.upper\",kind=\"failed\",service=\"greet\"}");
        double observed = metric(r.body(), "nanolith_function_duration_seconds_count{app=\"greet\",function=\"greet.upper\",service=\"greet\"}");
        assertTrue(calls >= 2, r.body());
        assertTrue(errors >= 1, r.body());
        assertEquals(calls, observed);
        assertTrue(r.body().contains("nanolith_function_duration_seconds_bucket{app=\"greet\",function=\"greet.upper\",service=\"greet\",le=\"0.001\"}"));
        double viaHello = metric(r.body(), "nanolith_edge_duration_seconds_count{app=\"greet\",callee=\"greet.upper\",caller=\"greet.hello\",kind=\"local\",service=\"greet\"}");
        double entries = metric(r.body(), "nanolith_edge_duration_seconds_count{app=\"greet\",callee=\"greet.hello\",caller=\"entry\",kind=\"local\",service=\"greet\"}");
        assertEquals(calls, viaHello, "every call of greet.upper came from greet.hello");
        assertTrue(entries >= 2, r.body());
    }

    static double metric(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + series));
    }
}
