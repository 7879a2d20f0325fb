package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop before a push: {@code nanolith test} and {@code nanolith dev}, run as a user runs them, against what a push says. */
class EditTestLoopTest {

    static final String GREET = GitDeployTest.GREETER;
    static final String GREET_TEST = GitDeployTest.GREETER_TEST;

    @TempDir
    static Path tmp;
    static Platform platform;

    @BeforeAll
    static void start() {
        platform = Platform.start(Platform.Options.loopback(0).withData(tmp.resolve("data")));
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    static Path app(Path dir, String greeting, String expected) {
        return TestApp.in(dir).yaml("app: hello\n").source("hello/Greet.java", GREET.formatted(greeting))
                .test("hello/GreetTest.java", GREET_TEST.formatted(expected)).write();
    }

    @Test
    void nanolithTestRefusesWhatAPushRefusesWithTheSameLines() throws Exception {
        Path pushed = app(tmp.resolve("pushed"), "Hello", "Hello");
        assertTrue(Pushes.push(platform, pushed, "hello").ok());
        List<List<String>> fixes = new java.util.ArrayList<>();
        for (String[] broken : new String[][] {
                {GREET.formatted("Hi").replace("+ name +", "+ nmae +"), GREET_TEST.formatted("Hi")},
                {GREET.formatted("Hi"), GREET_TEST.formatted("Hello")},
                {GREET.formatted("Hi").replace("return \"Hi, \" + name + \"!\";", "throw new IllegalStateException(\"no greeting for \" + name);"),
                        GREET_TEST.formatted("Hi")}}) {
            Path local = TestApp.in(tmp.resolve("local")).yaml("app: hello\n").source("hello/Greet.java", broken[0])
                    .test("hello/GreetTest.java", broken[1]).write();
            Files.writeString(pushed.resolve("src/main/java/hello/Greet.java"), broken[0]);
            Files.writeString(pushed.resolve("src/test/java/hello/GreetTest.java"), broken[1]);

            Run checked = run(InitTest.javaCommand("test", local.toString()));
            GitClient.Result push = Pushes.push(platform, pushed, "hello");

            assertEquals(1, checked.exit(), checked.output());
            assertFalse(push.ok(), push.output());
            List<String> fix = Pushes.fixLines(push.output());
            assertEquals(fix, checked.output().lines().dropWhile(l -> !l.endsWith(" Fix:")).skip(1).toList(), checked.output());
            fixes.add(fix);
        }
        assertEquals(List.of("  src/main/java/hello/Greet.java:10: cannot find symbol",
                " ".repeat(12) + "return \"Hi, \" + nmae + \"!\";",
                " ".repeat(28) + "^",
                "      symbol:   variable nmae",
                "      location: class hello.Greet"), fixes.get(0));
        assertEquals(List.of("  src/test/java/hello/GreetTest.java:11: greets(Functions) failed: expected: <Hello, Ada!> but was: <Hi, Ada!>"),
                fixes.get(1));
        // A function that threw: what, and where in the app's code, not only an error id to look up in the platform's log.
        assertEquals(List.of("  src/test/java/hello/GreetTest.java:11: greets(Functions) failed: 'hello.greet' threw "
                + "java.lang.IllegalStateException: no greeting for Ada at src/main/java/hello/Greet.java:10"), fixes.get(2));
    }

    @Test
    void aPlatformStoppedAsItDeploysEndsEveryProcessItStarted() throws Exception {
        Path app = app(tmp.resolve("stopped"), "Hello", "Hello");
        Path cache = Files.createDirectories(tmp.resolve("stopped-cache"));
        ProcessBuilder builder = new ProcessBuilder(InitTest.javaCommand("run", app.toString(), "--port", "0", "--data", tmp.resolve("stopped-data").toString()))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("stopped.log").toFile());
        // A cache of its own, with no class archive yet: the first check starts the process that writes one.
        builder.environment().put("XDG_CACHE_HOME", cache.toString());
        Process serve = builder.start();
        List<ProcessHandle> started = List.of();
        try {
            // Stopped as it deploys, once the process that writes the class archive runs, as Ctrl-C or a service manager stops it.
            for (long until = System.nanoTime() + Duration.ofSeconds(60).toNanos(); started.stream().noneMatch(p -> writes(p, cache)) && serve.isAlive()
                    && System.nanoTime() < until; ) {
                Thread.sleep(20);
                started = serve.descendants().toList();
            }
            assertTrue(started.stream().anyMatch(p -> writes(p, cache)), "the class archive is being written");
            serve.destroy();
            assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "the platform stops");
            for (ProcessHandle process : started) {
                try {
                    process.onExit().get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    // told below
                }
            }
            assertEquals(List.of(), started.stream().filter(ProcessHandle::isAlive)
                    .map(p -> p.pid() + " " + p.info().command().orElse("?") + (writes(p, cache) ? " (writing the class archive)" : "")).toList());
            try (var left = Files.walk(cache)) {
                assertEquals(List.of(), left.filter(Files::isRegularFile).toList(), "no half-written class archive is left");
            }
            String printed = Files.readString(tmp.resolve("stopped.log"));
            assertFalse(printed.contains("not deployed") || printed.contains("cannot start") || printed.contains("Exception"),
                    "a stop is no failure: " + printed);
        } finally {
            serve.descendants().forEach(ProcessHandle::destroyForcibly);
            started.forEach(ProcessHandle::destroyForcibly);
            serve.destroyForcibly().waitFor();
        }
    }

    /** Whether {@code process} writes a class archive into {@code cache}. */
    private static boolean writes(ProcessHandle process, Path cache) {
        return process.info().commandLine().orElse("").contains(cache.toString());
    }

    @Test
    void nanolithTestPassesAGoodAppAndReportsEachStage() throws Exception {
        Run checked = run(InitTest.javaCommand("test", app(tmp.resolve("good"), "Hello", "Hello").toString()));
        assertEquals(0, checked.exit(), checked.output());
        List<String> lines = checked.output().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.matches(" {2}compile +\\d+ ms {2}1 functions")), checked.output());
        assertTrue(lines.stream().anyMatch(l -> l.matches(" {2}test +\\d+ ms {2}1 passed")), checked.output());
        assertTrue(lines.stream().anyMatch(l -> l.matches(" {2}warm +\\d+ ms {2}every function started")), checked.output());
        assertEquals("nanolith: hello passes every check of a push", lines.getLast());
    }

    @Test
    void nanolithDevServesEachEditThatPassesAndKeepsTheLastGoodRevisionOtherwise() throws Exception {
        Path dir = app(tmp.resolve("dev"), "Hello", "Hello");
        Process dev = new ProcessBuilder(InitTest.javaCommand("dev", dir.toString(), "--port", "0")).redirectErrorStream(true).start();
        List<String> printed = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(dev.getInputStream(), StandardCharsets.UTF_8))) {
                out.lines().forEach(printed::add);
            } catch (IOException e) {
                // the process ended
            }
        });
        try {
            String serving = await(printed, l -> l.startsWith("nanolith dev: serving "));
            Http http = new Http(serving.substring(serving.indexOf("http://"), serving.indexOf(';')));
            await(printed, l -> l.startsWith("deployed hello r1"));
            assertEquals("\"Hello, Ada!\"", http.post("/fn/hello.greet", "\"Ada\"").body());

            Files.writeString(dir.resolve("src/test/java/hello/GreetTest.java"), GREET_TEST.formatted("Howdy"));
            long edited = System.nanoTime();
            Files.writeString(dir.resolve("src/main/java/hello/Greet.java"), GREET.formatted("Howdy"));
            while (!http.post("/fn/hello.greet", "\"Ada\"").body().equals("\"Howdy, Ada!\"")) {
                assertTrue(System.nanoTime() - edited < Duration.ofSeconds(60).toNanos(), "the edit was not served: " + printed);
                Thread.sleep(10);
            }
            System.out.printf("nanolith dev served an edit %d ms after it was saved%n", (System.nanoTime() - edited) / 1_000_000);
            await(printed, l -> l.startsWith("deployed hello r2"));

            Files.writeString(dir.resolve("src/main/java/hello/Greet.java"), GREET.formatted("Hi").replace("+ name +", "+ nmae +"));
            await(printed, l -> l.equals("nanolith: dev was not deployed; r2 still serves. Fix:"));
            await(printed, l -> l.equals("  src/main/java/hello/Greet.java:10: cannot find symbol"));
            assertEquals("\"Howdy, Ada!\"", http.post("/fn/hello.greet", "\"Ada\"").body());

            Files.writeString(dir.resolve("src/main/java/hello/Greet.java"), GREET.formatted("Howdy").replace("\"!\"", "\"!!\""));
            Files.writeString(dir.resolve("src/test/java/hello/GreetTest.java"), GREET_TEST.formatted("Howdy").replace("Ada!", "Ada!!"));
            await(printed, l -> l.startsWith("deployed hello r3"));
            assertEquals("\"Howdy, Ada!!\"", http.post("/fn/hello.greet", "\"Ada\"").body());

            dev.destroy();
            assertTrue(dev.waitFor(20, TimeUnit.SECONDS), "dev ends at SIGTERM, with a client's connection still open");
        } finally {
            dev.destroyForcibly();
        }
    }

    /** Waits for a line the process prints, and returns it. */
    static String await(List<String> printed, Predicate<String> line) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < until) {
            for (String l : printed) {
                if (line.test(l)) {
                    return l;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("not printed within 60 s:\n" + String.join("\n", printed));
    }

    /** What a command printed, and its exit code. */
    record Run(int exit, String output) {
    }

    static Run run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(2, TimeUnit.MINUTES), String.join(" ", command) + " did not end");
            return new Run(p.exitValue(), out);
        } finally {
            p.destroyForcibly();
        }
    }
}
