package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.deploy.Workers;
import dev.nanolith.runtime.placement.Endpoint;
import dev.nanolith.runtime.placement.Placement;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls between two services in processes of their own: what travels with a call (trace,
 * deadline), what each edge records (bytes), and who may connect.
 */
class RemoteCallTest {

    static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @TempDir
    static Path tmp;

    static Platform platform;
    static Http http;
    static LogCapture supervisor;

    @BeforeAll
    static void start() throws Exception {
        supervisor = LogCapture.of(Workers.class.getName());
        Path app = TestApp.in(tmp.resolve("relay"))
                .yaml("""
                        app: relay
                        functions:
                          front.impatient:
                            timeout: 300ms
                        services:
                          front: [front.*]
                          back: [back.*]
                        """)
                .source("front/Relay.java", """
                        package front;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;

                        /** Passes its text to back.echo. */
                        public class Relay implements Nano<back.Text, back.Text> {
                            public back.Text apply(back.Text input, Ctx ctx) {
                                return ctx.call("back.echo", input, back.Text.class);
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
                .source("front/Breaking.java", """
                        package front;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;

                        /** Calls back.broken, which fails. */
                        public class Breaking implements Nano<back.Text, back.Text> {
                            public back.Text apply(back.Text input, Ctx ctx) {
                                return ctx.call("back.broken", input, back.Text.class);
                            }
                        }
                        """)
                .source("front/Impatient.java", """
                        package front;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;

                        /** Waits for back.slow longer than its own timeout allows. */
                        public class Impatient implements Nano<back.Text, back.Text> {
                            public back.Text apply(back.Text input, Ctx ctx) {
                                return ctx.call("back.slow", input, back.Text.class);
                            }
                        }
                        """)
                .source("back/Text.java", """
                        package back;

                        public record Text(String text) {
                        }
                        """)
                .source("back/Echo.java", """
                        package back;

                        import java.util.function.Function;

                        /** Returns its input. */
                        public class Echo implements Function<Text, Text> {
                            public Text apply(Text input) {
                                return input;
                            }
                        }
                        """)
                .source("back/Broken.java", """
                        package back;

                        import java.util.function.Function;

                        /** Always fails. */
                        public class Broken implements Function<Text, Text> {
                            public Text apply(Text input) {
                                throw new IllegalStateException("broken on purpose");
                            }
                        }
                        """)
                .source("back/Slow.java", """
                        package back;

                        import java.util.function.Function;

                        /** Takes five seconds, unless interrupted. */
                        public class Slow implements Function<Text, Text> {
                            public Text apply(Text input) {
                                try {
                                    Thread.sleep(5_000);
                                } catch (InterruptedException e) {
                                    throw new IllegalStateException("interrupted");
                                }
                                return input;
                            }
                        }
                        """)
                .write();
        platform = Platform.start(Platform.Options.loopback(0).placed(Placement.Mode.SERVICES));
        platform.deploy(app);
        http = new Http(platform.url());
    }

    @AfterAll
    static void stop() throws IOException {
        platform.close();
        supervisor.close();
    }

    @Test
    void aFailureInAnotherProcessIsLoggedThereWithTheClientsTrace() throws Exception {
        Http.Response r = http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/fn/front.breaking"))
                .header("Content-Type", "application/json").header("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}")));
        assertEquals(500, r.status(), r.body());
        String errorId = r.json().path("errorId").asText();
        // Named after the function that failed, two processes away, as a monolith names it.
        assertEquals("'back.broken' failed (error id " + errorId + ")", r.json().path("message").asText());
        String logged = "";
        for (int i = 0; i < 100 && logged.isEmpty(); i++) {
            logged = supervisor.records.stream().map(LogRecord::getMessage).filter(line -> line.startsWith("[back]") && line.contains(errorId))
                    .findFirst().orElse("");
            Thread.sleep(50);
        }
        assertTrue(logged.contains("error id " + errorId + ", trace " + TRACE), "the back service's log: " + logged);
    }

    @Test
    void everyAnswerNamesItsEntrySpanInTheClientsTraceAndAFunctionsLogLinesCarryTheirIds() throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        String sent = "00-" + TRACE + "-00f067aa0ba902b7-01";
        for (String path : List.of("/fn/back.chatty", "/fn/no.such")) {
            java.net.http.HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(platform.url() + path))
                    .header("Content-Type", "application/json").header("traceparent", sent)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            String answered = r.headers().firstValue("traceparent").orElse("");
            assertTrue(answered.matches("00-" + TRACE + "-[0-9a-f]{16}-01") && !answered.equals(sent), path + " answered " + answered);
        }
        java.net.http.HttpResponse<String> fresh = client.send(HttpRequest.newBuilder(URI.create(platform.url() + "/fn/back.chatty"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(fresh.headers().firstValue("traceparent").orElse("").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"));
        // Forwarded once: under the function's own logger and level, marked with its service, with no second prefix.
        LogRecord logged = supervisor.record("chatty says hi");
        assertTrue(logged.getMessage().matches("\\[back] \\[activation [0-9a-f]{16}, trace " + TRACE + "] chatty says hi"), logged.getMessage());
        assertEquals("fn.back.chatty", logged.getLoggerName());
        assertEquals(Level.INFO, logged.getLevel());
    }

    @Test
    void theCallersDeadlineHoldsInTheCalleesProcess() {
        long start = System.nanoTime();
        Http.Response r = http.post("/fn/front.impatient", "{\"text\":\"hi\"}");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(504, r.status(), r.body());
        assertEquals("deadline-exceeded", r.json().path("error").asText());
        assertEquals("'front.impatient' did not finish within 300 ms", r.json().path("message").asText());
        assertTrue(millis < 3_000, "answered after " + millis + " ms, not after back.slow's 5 s");
    }

    @Test
    void everyRemoteEdgeCountsItsBytes() {
        String input = "{\"text\":\"" + "x".repeat(1000) + "\"}";
        assertEquals(200, http.post("/fn/front.relay", input).status());
        assertEquals(200, http.post("/fn/front.relay", input).status());
        String metrics = http.get("/metrics").body();
        // front's worker calls back.echo in back's worker; the platform's /metrics gathers every worker's.
        double sentCount = metric(metrics, "nanolith_edge_bytes_count", "front.relay", "back.echo", "sent");
        double sent = metric(metrics, "nanolith_edge_bytes_sum", "front.relay", "back.echo", "sent");
        double received = metric(metrics, "nanolith_edge_bytes_sum", "front.relay", "back.echo", "received");
        assertEquals(2, sentCount);
        assertTrue(sent > 2 * 1000 && sent < 2 * 1200, "bytes sent: " + sent);
        assertTrue(received > 2 * 1000 && received < 2 * 1100, "bytes received: " + received);
    }

    @Test
    void aWorkersPortTakesNoCallsFromOutsideThePlatform() throws IOException {
        Endpoint back = platform.serving("relay").orElseThrow().endpoints().get("back");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), back.port())) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            in.readFully(new byte[32]);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeUTF("relay/front");
            out.write(new byte[32]);
            out.flush();
            assertEquals(-1, in.read(), "a connection that cannot answer the challenge is closed");
        }
    }

    @Test
    void aDeployWhoseServiceCannotStartIsAbortedAndTheOldRevisionServes() throws Exception {
        String version = """
                package keep;

                import java.util.function.Function;

                /** Says which revision answers. */
                public class Version implements Function<Void, String> {
                    public String apply(Void input) {
                        return "%s";
                    }
                }
                """;
        String yaml = """
                app: keep
                services:
                  versions: [keep.version]
                  holders: [keep.holder]
                """;
        Path v1 = TestApp.in(tmp.resolve("keep-v1")).yaml(yaml).source("keep/Version.java", version.formatted("v1"))
                .source("keep/Holder.java", HOLDER).write();
        platform.deploy(v1);
        assertEquals("\"v1\"", http.post("/fn/keep.version", "").body());
        assertTrue(platform.servicePids().keySet().containsAll(List.of("versions", "holders")), "a worker for each service");
        Map<String, Long> serving = platform.servicePids();
        // A service whose worker cannot start: its function holds more than the heap limit, which its check does not use.
        Path v2 = TestApp.in(tmp.resolve("keep-v2")).yaml(yaml.replace("holders: [keep.holder]", "holders: {functions: [keep.holder], memory: 32m}"))
                .source("keep/Version.java", version.formatted("v2")).source("keep/Holder.java", HOLDER).write();
        LoadException refused = assertThrows(LoadException.class, () -> platform.deploy(v2));
        assertTrue(refused.getMessage().contains("the worker of 'holders' ended with exit code 3 before it served: "), refused.getMessage());
        assertTrue(refused.getMessage().contains("OutOfMemoryError"), "what the JVM said, not only in the platform's log: " + refused.getMessage());
        assertEquals("\"v1\"", http.post("/fn/keep.version", "").body(), "the old revision serves on");
        // The new revision's worker that did start was stopped: the old revision's workers are the ones running.
        for (int i = 0; i < 200 && !platform.servicePids().equals(serving); i++) {
            Thread.sleep(50);
        }
        assertEquals(serving, platform.servicePids(), "workers running");
    }

    /** A function of the service whose worker cannot start. */
    private static final String HOLDER = """
            package keep;

            import java.util.function.Function;

            /** Holds 64 MB, more than a worker of 32m has room for. */
            public class Holder implements Function<Void, String> {
                private final byte[] held = new byte[64 << 20];

                public String apply(Void input) {
                    return "holding";
                }
            }
            """;

    private static double metric(String text, String name, String caller, String callee, String direction) {
        Matcher m = Pattern.compile("^" + name + "\\{([^}]*)} (\\S+)$", Pattern.MULTILINE).matcher(text);
        while (m.find()) {
            Map<String, String> tags = new HashMap<>();
            for (String tag : m.group(1).split(",")) {
                String[] kv = tag.split("=", 2);
                tags.put(kv[0], kv[1].replace("\"", ""));
            }
            if (caller.equals(tags.get("caller")) && callee.equals(tags.get("callee")) && direction.equals(tags.get("direction"))) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no " + name + " for " + caller + " -> " + callee + " (" + direction + ") in:\n" + text);
    }
}
