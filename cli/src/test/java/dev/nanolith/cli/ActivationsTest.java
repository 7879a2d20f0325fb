package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.nanolith.runtime.placement.Placement;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Activation records on a real platform whose app runs in two processes: an operation's calls,
 * recorded where each ran and found by its trace with the lines its functions logged; a record of
 * every status; the drop counter under overload; the spans sent to an OTLP endpoint; the gathered
 * {@code /metrics}, checked by Prometheus' own {@code promtool}.
 */
class ActivationsTest {

    @TempDir
    static Path tmp;

    static Platform platform;
    static Http http;
    static HttpServer otlp;
    /** The bodies of the OTLP export requests the endpoint received. */
    static final List<byte[]> exported = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        otlp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        otlp.createContext("/v1/traces", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                exported.add(body.readAllBytes());
            }
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        otlp.start();
        Path app = TestApp.in(tmp.resolve("rec"))
                .yaml("""
                        app: rec
                        functions:
                          front.slow:
                            timeout: 300ms
                          front.hasty:
                            timeout: 200ms
                          front.guarded:
                            access: key
                          back.private:
                            callers: [front.relay]
                        services:
                          front: [front.*]
                          back: [back.*]
                        """)
                .source("back/Text.java", """
                        package back;

                        public record Text(String text) {
                        }
                        """)
                .source("front/Relay.java", """
                        package front;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;

                        /** Passes its text to back.chatty. */
                        public class Relay implements Nano<back.Text, back.Text> {
                            public back.Text apply(back.Text input, Ctx ctx) {
                                return ctx.call("back.chatty", input, back.Text.class);
                            }
                        }
                        """)
                .source("front/Hasty.java", """
                        package front;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;

                        /** Passes its text to back.chatty, within 200 ms: less than a worker takes to start again. */
                        public class Hasty implements Nano<back.Text, back.Text> {
                            public back.Text apply(back.Text input, Ctx ctx) {
                                return ctx.call("back.chatty", input, back.Text.class);
                            }
                        }
                        """)
                .source("back/Chatty.java", """
                        package back;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;

                        /** Logs its text, and returns it. */
                        public class Chatty implements Nano<Text, Text> {
                            public Text apply(Text input, Ctx ctx) {
                                ctx.log().log(System.Logger.Level.INFO, "chatty says {0}", input.text());
                                return input;
                            }
                        }
                        """)
                .source("back/Private.java", """
                        package back;

                        import java.util.function.Function;

                        /** Returns its input, to front.relay only. */
                        public class Private implements Function<Text, Text> {
                            public Text apply(Text input) {
                                return input;
                            }
                        }
                        """)
                .source("front/Sneak.java", """
                        package front;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;

                        /** Calls back.private, which does not list it as a caller. */
                        public class Sneak implements Nano<back.Text, back.Text> {
                            public back.Text apply(back.Text input, Ctx ctx) {
                                return ctx.call("back.private", input, back.Text.class);
                            }
                        }
                        """)
                .source("front/Boom.java", """
                        package front;

                        import java.util.function.Function;

                        /** Always fails. */
                        public class Boom implements Function<back.Text, back.Text> {
                            public back.Text apply(back.Text input) {
                                throw new IllegalStateException("boom on purpose");
                            }
                        }
                        """)
                .source("front/Slow.java", """
                        package front;

                        import java.util.function.Function;

                        /** Takes five seconds, unless interrupted. */
                        public class Slow implements Function<back.Text, back.Text> {
                            public back.Text apply(back.Text input) {
                                try {
                                    Thread.sleep(5_000);
                                } catch (InterruptedException e) {
                                    throw new IllegalStateException("interrupted");
                                }
                                return input;
                            }
                        }
                        """)
                .source("front/Guarded.java", """
                        package front;

                        import java.util.function.Function;

                        /** Needs a key. */
                        public class Guarded implements Function<back.Text, back.Text> {
                            public back.Text apply(back.Text input) {
                                return input;
                            }
                        }
                        """)
                .source("front/Fanout.java", """
                        package front;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;

                        /** Calls front.leaf as many times as it is told, in this process. */
                        public class Fanout implements Nano<Integer, Integer> {
                            public Integer apply(Integer times, Ctx ctx) {
                                int sum = 0;
                                for (int i = 0; i < times; i++) {
                                    sum += ctx.call("front.leaf", 1, Integer.class);
                                }
                                return sum;
                            }
                        }
                        """)
                .source("front/Leaf.java", """
                        package front;

                        import java.util.function.Function;

                        /** Returns its input. */
                        public class Leaf implements Function<Integer, Integer> {
                            public Integer apply(Integer n) {
                                return n;
                            }
                        }
                        """)
                .write();
        // A small buffer, for the overload; spans to the endpoint above.
        platform = Platform.start(Platform.Options.loopback(0).placed(Placement.Mode.SERVICES).with(Map.of(
                "NANOLITH_ACTIVATIONS_BUFFER", "1000",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + otlp.getAddress().getPort(),
                "OTEL_SERVICE_NAME", "ignored-each-span-names-its-service")));
        platform.deploy(app);
        http = new Http(platform.url());
    }

    @AfterAll
    static void stop() {
        try {
            if (platform != null) {
                platform.close();
            }
        } finally {
            otlp.stop(0);
        }
    }

    private static Http.Response admin(String path) {
        return http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/admin" + path))
                .header("Authorization", "Bearer " + platform.adminToken()).GET());
    }

    /** The records a search finds, the newest first. */
    private static List<JsonNode> search(String query) {
        Http.Response r = admin("/activations?" + query);
        assertEquals(200, r.status(), r.body());
        List<JsonNode> found = new ArrayList<>();
        r.json().path("activations").forEach(found::add);
        return found;
    }

    private static Http.Response call(String function, String json, String traceparent) {
        return http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/fn/" + function)).header("Content-Type", "application/json")
                .header("traceparent", traceparent).POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static String newTrace() {
        return String.format("%016x%016x", ThreadLocalRandom.current().nextLong(), ThreadLocalRandom.current().nextLong() | 1);
    }

    @Test
    void anOperationAcrossTwoProcessesIsRecordedCallByCallWithTheLinesItsFunctionsLogged() {
        String trace = newTrace();
        Http.Response r = call("front.relay", "{\"text\":\"hi\"}", "00-" + trace + "-00f067aa0ba902b7-01");
        assertEquals(200, r.status(), r.body());
        List<JsonNode> calls = search("trace=" + trace);
        assertEquals(2, calls.size(), calls.toString());
        JsonNode chatty = calls.stream().filter(a -> a.path("function").asText().equals("back.chatty")).findFirst().orElseThrow();
        JsonNode relay = calls.stream().filter(a -> a.path("function").asText().equals("front.relay")).findFirst().orElseThrow();
        assertEquals("entry", relay.path("caller").asText());
        assertEquals("00f067aa0ba902b7", relay.path("parentId").asText(), "the entry's parent is the client's span");
        assertEquals("front", relay.path("service").asText());
        assertEquals("front.relay", chatty.path("caller").asText());
        assertEquals(relay.path("id").asText(), chatty.path("parentId").asText());
        assertEquals("back", chatty.path("service").asText());
        assertTrue(chatty.path("remote").asBoolean(), "called from another process");
        assertEquals("{\"text\":\"hi\"}".length(), chatty.path("bytesIn").asInt(), chatty.toString());
        assertTrue(chatty.path("bytesOut").asInt() > 0, chatty.toString());
        assertEquals("success", chatty.path("status").asText());
        assertEquals(List.of("INFO chatty says hi"), lines(chatty.path("logs")));
        assertTrue(relay.path("durationNanos").asLong() >= chatty.path("durationNanos").asLong(), "the caller's call holds the callee's");
        assertEquals("anonymous", relay.path("principal").asText());

        Http.Response one = admin("/activations/" + chatty.path("id").asText());
        assertEquals(200, one.status());
        assertEquals(chatty, one.json());
        String listed = Commands.run(platform.dataDir(), "", "activations", "--trace", trace);
        assertTrue(listed.contains("rec/back.chatty") && listed.contains("rec/front.relay") && listed.contains(chatty.path("id").asText()), listed);
        String shown = Commands.run(platform.dataDir(), "", "activations", chatty.path("id").asText());
        assertTrue(shown.contains("logs:\n  INFO chatty says hi\n") && shown.contains("caller         front.relay"), shown);
    }

    @Test
    void everyWayACallEndsIsRecordedAndFoundByItsStatus() throws Exception {
        assertEquals(500, http.post("/fn/front.boom", "{\"text\":\"x\"}").status());
        assertEquals(504, http.post("/fn/front.slow", "{\"text\":\"x\"}").status());
        assertEquals(400, http.post("/fn/front.relay", "{\"text\":").status());
        assertEquals(401, http.post("/fn/front.guarded", "{\"text\":\"x\"}").status());
        assertEquals(403, http.post("/fn/front.sneak", "{\"text\":\"x\"}").status());
        assertEquals(List.of("front.boom"), functions("function-error"));
        // The gateway answers at the deadline; the worker's call ends, and is recorded, as its function stops a moment later.
        List<String> late = functions("timeout");
        for (int i = 0; i < 50 && late.isEmpty(); i++) {
            Thread.sleep(100);
            late = functions("timeout");
        }
        assertEquals(List.of("front.slow"), late);
        assertEquals(List.of("front.relay"), functions("refused"));
        // The caller that was denied ends as its callee's call did: the client is answered 403 all the same.
        assertEquals(List.of("back.private", "front.guarded", "front.sneak"), functions("denied").stream().sorted().toList());
        JsonNode malformed = search("status=refused").getFirst();
        assertTrue(lines(malformed.path("logs")).getFirst().contains("line 1"), "the refusal says why: " + malformed);
        JsonNode sneaked = search("status=denied&function=back.private").getFirst();
        assertEquals("front.sneak", sneaked.path("caller").asText());
        assertEquals(List.of("ended: refused 403 caller-not-allowed: 'front.sneak' may not call 'back.private' — its callers are [front.relay]"),
                lines(sneaked.path("logs")));
        JsonNode guarded = search("status=denied&function=front.guarded").getFirst();
        assertEquals("(gateway)", guarded.path("service").asText(), "the gateway answered it itself");
        List<String> boom = lines(search("status=function-error&function=front.boom").getFirst().path("logs"));
        assertTrue(boom.getFirst().matches("ended: dev.nanolith.FunctionFailedException: 'front.boom' failed \\(error id e-[0-9a-f]{12}\\)"
                + " — java.lang.IllegalStateException: boom on purpose"), boom.toString());

        // Its worker killed, a call of back.chatty that cannot wait for it to start again never reaches it.
        ProcessHandle back = ProcessHandle.of(platform.servicePids().get("back")).orElseThrow();
        back.destroyForcibly();
        back.onExit().get(10, TimeUnit.SECONDS);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<JsonNode> down = List.of();
        while (down.isEmpty() && System.nanoTime() < until) {
            http.post("/fn/front.hasty", "{\"text\":\"anyone?\"}");
            down = search("status=platform-error&function=back.chatty");
        }
        assertFalse(down.isEmpty(), "no platform-error record of back.chatty within 30 s of its worker's end");
        assertEquals("front.hasty", down.getFirst().path("caller").asText());
        String trace = newTrace();
        for (int i = 0; i < 100 && call("front.relay", "{\"text\":\"back?\"}", "00-" + trace + "-00f067aa0ba902b7-01").status() != 200; i++) {
            Thread.sleep(100);
        }
        assertEquals("success", search("trace=" + trace + "&function=back.chatty").getLast().path("status").asText(),
                "its worker serves again, and its calls are recorded");
    }

    private static List<String> functions(String status) {
        return search("app=rec&status=" + status).stream().map(a -> a.path("function").asText()).distinct().toList();
    }

    private static List<String> lines(JsonNode logs) {
        List<String> lines = new ArrayList<>();
        logs.forEach(line -> lines.add(line.asText()));
        return lines;
    }

    @Test
    void underOverloadRecordsAreDroppedAndCountedWhileEveryCallSucceeds() {
        double before = dropped();
        Http.Response r = http.post("/fn/front.fanout", "20000");
        assertEquals(200, r.status(), r.body());
        assertEquals("20000", r.body());
        assertTrue(dropped() - before >= 10_000, "dropped " + (dropped() - before) + " of 20,001 records, with room for 1,000");
        assertEquals(200, http.post("/fn/front.fanout", "3").status());
    }

    private static double dropped() {
        Matcher m = Pattern.compile("nanolith_activations_dropped_total\\{app=\"rec\",service=\"front\"} (\\S+)").matcher(http.get("/metrics").body());
        assertTrue(m.find(), "the front worker's drop counter is in /metrics");
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aSearchRefusesWhatItCannotTakeAndAnUnknownIdIsNotFound() {
        Map<String, String> refused = Map.of(
                "status=broken", "no status 'broken' — use success, refused, function-error, platform-error, timeout or denied",
                "since=yesterday", "since: 'yesterday' is neither an instant (2026-11-30T10:00:00Z) nor a duration (15m)",
                "trace=12ab", "trace: '12ab' is not a trace id — give its 32 lower-case hex digits",
                "limit=0", "limit: '0' is not a number from 1 to 1000",
                "since=99999999999d", "since: '99999999999d' is before 1970 or after 9999",
                "colour=red", "no parameter 'colour' — use app, function, status, since, trace, limit");
        refused.forEach((query, message) -> {
            Http.Response r = admin("/activations?" + query);
            assertEquals(400, r.status(), query + ": " + r.body());
            assertEquals(message, r.json().path("message").asText());
        });
        Http.Response unknown = admin("/activations/0123456789abcdef");
        assertEquals(404, unknown.status());
        assertEquals("not-found", unknown.json().path("error").asText());
        assertEquals(401, http.get("/admin/activations").status(), "the admin token is needed");
        assertEquals(1, search("limit=1").size());
    }

    @Test
    void anAuditMeasuresEachOperationFromItsTracesAndFlagsAServiceWithASingleCaller() {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, http.post("/fn/front.relay", "{\"text\":\"audit\"}").status());
        }
        Http.Response r = admin("/apps/rec/audit");
        assertEquals(200, r.status(), r.body());
        JsonNode relay = null;
        for (JsonNode op : r.json().path("operations")) {
            if (op.path("entry").asText().equals("front.relay")) {
                relay = op;
            }
        }
        assertTrue(relay != null && relay.path("traces").asInt() >= 3, r.body());
        assertEquals(2, relay.path("calls").asInt());
        assertEquals(1, relay.path("remoteHops").asInt(), "front.relay → back.chatty crosses to the back's process");
        assertEquals(2, relay.path("depth").asInt());
        assertEquals("back", relay.path("dependencies").path(0).asText());
        JsonNode single = null;
        for (JsonNode f : r.json().path("findings")) {
            if (f.path("kind").asText().equals("single-caller")) {
                single = f;
            }
        }
        assertTrue(single != null, r.body());
        assertEquals("back", single.path("subject").asText());
        assertEquals("merge 'back' into 'front'", single.path("action").asText());
        String printed = Commands.run(platform.dataDir(), "", "audit", "rec");
        assertTrue(printed.contains("single-caller  back: only 'front' calls it") && printed.contains("front.relay"), printed);
        assertEquals(404, admin("/apps/nothing/audit").status());
    }

    @Test
    void spansReachTheConfiguredOtlpEndpoint() throws InterruptedException {
        String trace = newTrace();
        assertEquals(200, call("front.relay", "{\"text\":\"span\"}", "00-" + trace + "-00f067aa0ba902b7-01").status());
        search("trace=" + trace);
        byte[] id = HexFormat.of().parseHex(trace);
        boolean found = false;
        for (int i = 0; i < 100 && !found; i++) {
            found = exported.stream().anyMatch(body -> contains(body, id) && contains(body, "back.chatty".getBytes(StandardCharsets.UTF_8)));
            Thread.sleep(100);
        }
        assertTrue(found, "an OTLP request carries the trace's spans; " + exported.size() + " requests came");
    }

    private static boolean contains(byte[] body, byte[] part) {
        for (int i = 0; i + part.length <= body.length; i++) {
            if (java.util.Arrays.equals(body, i, i + part.length, part, 0, part.length)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void oneMetricsEndpointGathersEveryWorkersSeriesAndPromtoolAcceptsIt() throws Exception {
        assertEquals(200, http.post("/fn/front.relay", "{\"text\":\"m\"}").status());
        assertEquals(401, http.post("/fn/front.guarded", "{\"text\":\"m\"}").status(), "a refusal has its series too");
        String metrics = http.get("/metrics").body();
        for (String series : List.of(
                "nanolith_function_invocations_total{app=\"rec\",function=\"back.chatty\",service=\"back\"}",
                "nanolith_function_in_flight{app=\"rec\",function=\"front.relay\",service=\"front\"}",
                "nanolith_edge_duration_seconds_count{app=\"rec\",callee=\"back.chatty\",caller=\"front.relay\",kind=\"remote\",service=\"front\"}",
                "nanolith_edge_bytes_count{app=\"rec\",callee=\"back.chatty\",caller=\"front.relay\",direction=\"sent\",service=\"front\"}",
                "nanolith_worker_start_seconds_count{app=\"rec\",cause=\"deploy\",service=\"back\"}",
                "jvm_memory_used_bytes{app=\"rec\",area=\"heap\"")) {
            assertTrue(metrics.contains(series), series + " is missing from /metrics");
        }
        assertFalse(metrics.contains("nanolith_function_invocations_total{app=\"rec\",function=\"back.chatty\",service=\"front\"}"),
                "a function's calls are counted by its own process only");
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (var in = promtool.getOutputStream()) {
            in.write(metrics.getBytes(StandardCharsets.UTF_8));
        }
        String said = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, promtool.exitValue(), "promtool check metrics: " + said);
    }
}
