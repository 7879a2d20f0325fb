package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nanolith init} scaffolds an app whose printed git lines deploy it, as a new user would run them. */
class InitTest {

    @TempDir
    Path tmp;

    @Test
    void theLinesInitPrintsDeployTheNewAppAndItAnswers() throws Exception {
        try (Platform platform = Platform.start(Platform.Options.loopback(0).withData(tmp.resolve("data")))) {
            String printed = run(tmp, javaCommand("init", tmp.resolve("hello").toString(), "--data", tmp.resolve("data").toString()));
            List<String> lines = printed.lines().map(String::strip).toList();
            assertTrue(lines.contains("wrote " + tmp.resolve("hello/src/test/java/hello/GreetTest.java")), printed);
            List<String> steps = lines.subList(lines.indexOf("Deploy it:") + 1, lines.indexOf("Then call it:"));
            assertEquals("cd " + tmp.resolve("hello"), steps.get(0));
            assertTrue(steps.get(2).startsWith("git remote add nanolith http://deploy:nl_")
                    && steps.get(2).endsWith("@" + platform.url().substring("http://".length()) + "/git/hello.git"), steps.toString());

            String pushed = run(tmp, List.of("bash", "-c", String.join(" && ", steps)));
            assertTrue(pushed.contains("deployed hello r1 ("), pushed);
            assertTrue(pushed.contains("1 passed"), pushed);

            String curl = lines.get(lines.indexOf("Then call it:") + 1);
            assertEquals("{\"text\":\"Hello, Ada!\"}", run(tmp, List.of("bash", "-c", curl)).strip());
        }
    }

    /** The launcher's main class in a process of its own, on this build's class path. */
    static List<String> javaCommand(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    static String run(Path dir, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        builder.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        builder.environment().put("GIT_TERMINAL_PROMPT", "0");
        builder.environment().put("GIT_AUTHOR_NAME", "Ada Lovelace");
        builder.environment().put("GIT_AUTHOR_EMAIL", "ada@example.com");
        builder.environment().put("GIT_COMMITTER_NAME", "Ada Lovelace");
        builder.environment().put("GIT_COMMITTER_EMAIL", "ada@example.com");
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }
}
