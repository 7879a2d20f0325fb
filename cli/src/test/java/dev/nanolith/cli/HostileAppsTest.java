package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nanolith.deploy.Sandbox;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apps that try to take the platform down, pushed with the real git client to a real platform,
 * each while a loop of calls to a well-behaved app runs and records every answer: that app sees
 * not one failed call, and the hostile app's own worker is the only thing that suffers.
 */
class HostileAppsTest {

    /** The limit of one push's check here: short, so that a test that never ends is refused soon. */
    private static final Duration CHECK_LIMIT = Duration.ofSeconds(20);
    private static final String VAULT_KEY = "vault-key-4f2a";

    @TempDir
    static Path tmp;

    static Platform platform;
    static Http http;

    private final List<String> steadyFailures = new CopyOnWriteArrayList<>();
    private final AtomicInteger steadyCalls = new AtomicInteger();
    private final AtomicBoolean looping = new AtomicBoolean();
    private Thread loop;

    @BeforeAll
    static void start() {
        // The sandbox is required here: without bubblewrap the platform does not start, and says so.
        platform = Platform.start(Platform.Options.loopback(0).withData(tmp.resolve("data")).checkedWithin(CHECK_LIMIT)
                .sandboxed(Sandbox.Policy.REQUIRED).with(Map.of("VAULT_KEY", VAULT_KEY, "PLATFORM_ONLY", "not for apps")));
        http = new Http(platform.url());
        pushOk("steady", TestApp.in(tmp.resolve("steady")).yaml("app: steady\n").source("steady/Echo.java", """
                package steady;

                /** Answers what it is given. */
                public class Echo implements java.util.function.Function<String, String> {
                    public String apply(String text) {
                        return text;
                    }
                }
                """));
        pushOk("hostile", TestApp.in(tmp.resolve("hostile")).yaml("""
                app: hostile
                functions:
                  hostile.spin:
                    timeout: 1s
                  hostile.keeper:
                    isolated: true
                    secrets: [VAULT_KEY]
                services:
                  hogs:
                    functions: [hostile.hog]
                    memory: 64m
                """)
                .source("hostile/Keeper.java", """
                        package hostile;

                        public class Keeper implements dev.nanolith.Nano<String, String> {
                            public String apply(String input, dev.nanolith.Ctx ctx) {
                                return "kept " + ctx.secret("VAULT_KEY").length();
                            }
                        }
                        """)
                .source("hostile/Thief.java", function("hostile", "Thief", "String key = System.getenv(\"VAULT_KEY\"); return key == null ? \"nothing\" : key;"))
                .source("hostile/Env.java", function("hostile", "Env", "return new java.util.TreeSet<>(System.getenv().keySet()).toString();"))
                .source("hostile/Snoop.java", function("hostile", "Snoop", """
                        try {
                            java.nio.file.Path path = java.nio.file.Path.of(input);
                            return java.nio.file.Files.isDirectory(path) ? java.nio.file.Files.list(path).toList().toString()
                                    : java.nio.file.Files.readString(path);
                        } catch (java.io.IOException e) {
                            return e.getClass().getSimpleName();
                        }"""))
                .source("hostile/Ping.java", function("hostile", "Ping", "return \"pong\";"))
                .source("hostile/Exit.java", function("hostile", "Exit", "System.exit(0); return null;"))
                .source("hostile/Halt.java", function("hostile", "Halt", "Runtime.getRuntime().halt(7); return null;"))
                .source("hostile/Hog.java", function("hostile", "Hog", """
                        java.util.List<long[]> all = new java.util.ArrayList<>();
                        while (true) {
                            all.add(new long[1 << 20]);
                        }"""))
                .source("hostile/Deep.java", function("hostile", "Deep", "return apply(input);"))
                .source("hostile/Crowd.java", function("hostile", "Crowd", """
                        for (int i = 0; i < 10_000; i++) {
                            Thread.ofPlatform().daemon().start(() -> {
                                try {
                                    Thread.sleep(Long.MAX_VALUE);
                                } catch (InterruptedException e) {
                                    // ends with its worker
                                }
                            });
                        }
                        return "crowded";"""))
                .source("hostile/Spin.java", function("hostile", "Spin", """
                        long end = System.nanoTime() + 60_000_000_000L;
                        while (System.nanoTime() < end) {
                            Thread.interrupted();
                        }
                        return "done";""")));
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    /** Calls the well-behaved app without pause, recording every answer that is not its own input. */
    @BeforeEach
    void callTheSteadyAppMeanwhile() {
        looping.set(true);
        loop = Thread.ofVirtual().start(() -> {
            while (looping.get()) {
                String text = "\"call " + steadyCalls.incrementAndGet() + "\"";
                Http.Response r = http.post("/fn/steady.echo", text);
                if (r.status() != 200 || !r.body().equals(text)) {
                    steadyFailures.add(r.status() + " " + r.body());
                }
            }
        });
    }

    @AfterEach
    void theSteadyAppFailedNoCall() throws InterruptedException {
        // A quick case still sees the steady app called many times around it.
        for (int i = 0; i < 100 && steadyCalls.get() <= 10; i++) {
            Thread.sleep(20);
        }
        looping.set(false);
        loop.join();
        assertTrue(steadyCalls.get() > 10, "the steady app was called " + steadyCalls.get() + " times");
        assertEquals(List.of(), steadyFailures, "failed calls of the steady app");
    }

    @Test
    void aFunctionThatCallsSystemExitEndsOnlyItsOwnWorker() throws InterruptedException {
        assertWorkerEndsAndComesBack("hostile.exit");
    }

    @Test
    void aFunctionThatHaltsTheRuntimeEndsOnlyItsOwnWorker() throws InterruptedException {
        assertWorkerEndsAndComesBack("hostile.halt");
    }

    @Test
    void aFunctionThatExhaustsTheHeapEndsOnlyItsOwnWorker() throws InterruptedException {
        assertWorkerEndsAndComesBack("hostile.hog");
    }

    @Test
    void tenThousandThreadsHarmOnlyTheirOwnWorker() throws InterruptedException {
        Http.Response r = http.post("/fn/hostile.crowd", "\"x\"");
        // The worker holds them, runs out of room for them and ends, or takes past the deadline to start them and is replaced:
        // whichever, it alone pays, and the app serves again.
        assertTrue(r.status() == 200 || r.status() == 503 || r.status() == 504, r.status() + " " + r.body());
        String pong = "";
        for (int i = 0; i < 300 && !pong.equals("\"pong\""); i++) {
            pong = http.post("/fn/hostile.ping", "\"x\"").body();
            if (!pong.equals("\"pong\"")) {
                Thread.sleep(50);
            }
        }
        assertEquals("\"pong\"", pong);
    }

    @Test
    void aStackOverflowIsTheFunctionsFailureAndItsWorkerServesOn() {
        long pid = platform.servicePids().get("hostile");
        Http.Response r = http.post("/fn/hostile.deep", "\"x\"");
        assertEquals(500, r.status(), r.body());
        assertEquals("function-failed", r.json().path("error").asText());
        assertEquals("\"pong\"", http.post("/fn/hostile.ping", "\"x\"").body());
        assertEquals(pid, platform.servicePids().get("hostile"), "the same worker serves");
    }

    @Test
    void aFunctionThatIgnoresInterruptionIsAnswered504AtItsDeadlineAndItsWorkerReplaced() throws InterruptedException {
        long pid = platform.servicePids().get("hostile");
        long start = System.nanoTime();
        Http.Response r = http.post("/fn/hostile.spin", "\"x\"");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(504, r.status(), r.body());
        assertEquals("'hostile.spin' did not finish within 1000 ms", r.json().path("message").asText());
        assertTrue(millis < 2_000, "answered after " + millis + " ms, not at the 1 s deadline");
        // The spinning call would hold a core for a minute: its worker is replaced, and the old one ends.
        ProcessHandle old = ProcessHandle.of(pid).orElseThrow();
        for (int i = 0; i < 300 && old.isAlive(); i++) {
            Thread.sleep(50);
        }
        assertTrue(!old.isAlive(), "the worker of the overdue call still runs");
        assertEquals("\"pong\"", http.post("/fn/hostile.ping", "\"x\"").body());
        assertTrue(http.get("/metrics").body().contains(
                "nanolith_worker_replacements_total{app=\"hostile\",reason=\"overdue\",service=\"hostile\"} 1.0"), "replacements are counted");
    }

    @Test
    void aFunctionCannotReadTheAdminTokenNorTheDataDirectory() throws IOException {
        Path token = platform.dataDir().resolve("admin-token");
        assertTrue(Files.readString(token).contains(platform.adminToken()));
        assertEquals("\"NoSuchFileException\"", http.post("/fn/hostile.snoop", json(token.toString())).body());
        assertEquals("\"NoSuchFileException\"", http.post("/fn/hostile.snoop", json(platform.dataDir().toString())).body());
        assertEquals("bubblewrap", http.get("/health").json().path("sandbox").asText());
    }

    @Test
    void aFunctionGetsNoSecretAnotherDeclaresNorThePlatformsEnvironment() {
        assertEquals("\"kept " + VAULT_KEY.length() + "\"", http.post("/fn/hostile.keeper", "\"x\"").body());
        assertEquals("\"nothing\"", http.post("/fn/hostile.thief", "\"x\"").body());
        String environment = http.post("/fn/hostile.env", "\"x\"").body();
        assertTrue(!environment.contains("PLATFORM_ONLY") && !environment.contains("VAULT_KEY") && !environment.contains("PATH"), environment);
    }

    @Test
    void aPushWhoseTestCallsSystemExitIsRefusedSayingSo() throws InterruptedException {
        GitClient.Result push = Pushes.push(platform, TestApp.in(tmp.resolve("exiting")).yaml("app: exiting\n")
                .source("exiting/Ping.java", function("exiting", "Ping", "return \"pong\";"))
                .test("exiting/ExitTest.java", test("exiting", "ExitTest", "exits", "System.exit(0);")).write(), "exiting");
        assertTrue(push.exit() != 0, push.output());
        assertTrue(push.output().contains("the check process ended with exit code 0 while running ExitTest.exits"
                + " — System.exit and Runtime.halt are not allowed in an app"), push.output());
        assertEquals(404, http.post("/fn/exiting.ping", "\"x\"").status(), "nothing of the refused push serves");
        // Its worker started beside its tests, once it was compiled: it stops once they fail.
        for (int i = 0; i < 300 && platform.servicePids().containsKey("exiting"); i++) {
            Thread.sleep(50);
        }
        assertTrue(!platform.servicePids().containsKey("exiting"), "the refused revision's worker still runs");
    }

    @Test
    void aPushWhoseTestNeverEndsIsRefusedAtTheLimitAndNothingOfItRunsOn() {
        long start = System.nanoTime();
        GitClient.Result push = Pushes.push(platform, TestApp.in(tmp.resolve("looping")).yaml("app: looping\n")
                .source("looping/Ping.java", function("looping", "Ping", "return \"pong\";"))
                .test("looping/LoopTest.java", test("looping", "LoopTest", "loops", "while (true) { Thread.onSpinWait(); }")).write(), "looping");
        long seconds = (System.nanoTime() - start) / 1_000_000_000;
        assertTrue(push.exit() != 0, push.output());
        assertTrue(push.output().contains("the check did not finish within " + CHECK_LIMIT.toSeconds() + " s while running LoopTest.loops"),
                push.output());
        assertTrue(seconds < CHECK_LIMIT.toSeconds() + 15, "refused after " + seconds + " s");
        // The check process that ran the loop is gone: the only one left is the fresh spare for the next push.
        List<ProcessHandle> checks = ProcessHandle.allProcesses().filter(p -> p.info().command().orElse("").endsWith("/java"))
                .filter(p -> commandLine(p).contains("dev.nanolith.worker.Checker")).toList();
        assertTrue(checks.size() <= 1, "check processes: " + checks.size());
        checks.forEach(p -> assertTrue(p.info().totalCpuDuration().orElse(Duration.ZERO).compareTo(CHECK_LIMIT) < 0,
                "a check process has used " + p.info().totalCpuDuration().orElse(Duration.ZERO)));
    }

    /** A call ends the hostile app's worker: 503 for it, then its worker is back, and the steady app never noticed. */
    private static void assertWorkerEndsAndComesBack(String function) throws InterruptedException {
        long pid = platform.servicePids().get("hostile");
        Http.Response r = http.post("/fn/" + function, "\"x\"");
        assertEquals(503, r.status(), r.body());
        assertEquals("service-unavailable", r.json().path("error").asText());
        String pong = "";
        for (int i = 0; i < 300 && !pong.equals("\"pong\""); i++) {
            Thread.sleep(50);
            pong = http.post("/fn/hostile.ping", "\"x\"").body();
        }
        assertEquals("\"pong\"", pong, "the hostile app's worker was started again");
        assertTrue(platform.servicePids().get("hostile") != pid, "a new worker serves");
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false, "the old worker has ended");
    }

    private static String json(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void pushOk(String app, TestApp files) {
        GitClient.Result push = Pushes.push(platform, files.write(), app);
        assertTrue(push.ok() && push.output().contains("deployed " + app), push.output());
    }

    /** A function of {@code pkg} from a string to a string, whose body is {@code body}. */
    private static String function(String pkg, String name, String body) {
        return """
                package %s;

                public class %s implements java.util.function.Function<String, String> {
                    public String apply(String input) {
                        %s
                    }
                }
                """.formatted(pkg, name, body);
    }

    /** An app's test class with one test, whose body is {@code body}. */
    private static String test(String pkg, String name, String method, String body) {
        return """
                package %s;

                class %s {
                    @org.junit.jupiter.api.Test
                    void %s() {
                        %s
                    }
                }
                """.formatted(pkg, name, method, body);
    }

    private static String commandLine(ProcessHandle process) {
        try (InputStream in = Files.newInputStream(Path.of("/proc", Long.toString(process.pid()), "cmdline"))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }
}
