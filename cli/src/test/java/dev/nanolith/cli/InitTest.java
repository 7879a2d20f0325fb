package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
            String printed = run(tmp, javaCommand("init", tmp.resolve("greeter").toString(), "--data", tmp.resolve("data").toString()));
            List<String> lines = printed.lines().map(String::strip).toList();
            assertTrue(lines.contains("wrote " + tmp.resolve("greeter/src/test/java/greeter/GreetTest.java")), printed);
            List<String> steps = lines.subList(lines.indexOf("Deploy it:") + 1, lines.indexOf("Then call it:"));
            assertEquals("cd " + tmp.resolve("greeter"), steps.get(0));
            assertTrue(steps.get(2).startsWith("git remote add nanolith http://deploy:nl_")
                    && steps.get(2).endsWith("@" + platform.url().substring("http://".length()) + "/git/greeter.git"), steps.toString());

            String pushed = run(tmp, List.of("bash", "-c", String.join(" && ", steps)));
            assertTrue(pushed.contains("deployed greeter r1 ("), pushed);
            assertTrue(pushed.contains("1 passed"), pushed);

            String curl = lines.get(lines.indexOf("Then call it:") + 1);
            assertEquals("{\"text\":\"Hello, Ada!\"}", run(tmp, List.of("bash", "-c", curl)).strip());

            // The README's refused push is this app's, after the change the README describes.
            Path yaml = tmp.resolve("greeter/nanolith.yaml");
            Files.writeString(yaml, Files.readString(yaml).replace("greeting: Hello", "greeting: Hi"));
            GitClient git = new GitClient(tmp.resolve("greeter"));
            git.ok("commit", "-q", "-am", "Hi");
            GitClient.Result refused = git.run("push", "nanolith", "main");
            String commit = git.ok("rev-parse", "--short=7", "HEAD").strip();
            List<String> refusal = refused.output().lines().dropWhile(l -> !l.startsWith("remote: nanolith: greeter at"))
                    .filter(l -> l.startsWith("remote: ")).map(String::stripTrailing).toList();
            List<String> readme = FirstFunctionReadmeTest.block(Files.readString(FirstFunctionReadmeTest.README),
                    "A push that fails a check is rejected whole").lines().toList();
            assertEquals(readme.subList(0, readme.size() - 1), refusal.stream().map(l -> l.replace(commit, "d41bf7e")).toList(), refused.output());
            assertEquals(readme.getLast(), refused.output().lines().filter(l -> l.contains("[remote rejected]")).findFirst().orElse(""));
        }
    }

    @Test
    void theNewAppsOwnBuildRunsItsTestsAsAPushDoes() throws Exception {
        installPlatformArtifacts();
        run(tmp, javaCommand("init", tmp.resolve("built").toString(), "--data", tmp.resolve("nowhere").toString()));
        assertTrue(Files.isRegularFile(tmp.resolve("built/pom.xml")));
        String passed = run(tmp.resolve("built"), List.of("mvn", "-B", "test"));
        assertTrue(passed.contains("Tests run: 1, Failures: 0, Errors: 0"), passed);

        Path test = tmp.resolve("built/src/test/java/built/GreetTest.java");
        Files.writeString(test, Files.readString(test).replace("Hello, Ada!", "Hi, Ada!"));
        ProcessBuilder failing = new ProcessBuilder("mvn", "-B", "test").directory(tmp.resolve("built").toFile()).redirectErrorStream(true);
        Process p = failing.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("greetsByName(Functions)") && out.contains("expected: <Hi, Ada!> but was: <Hello, Ada!>"), out);
    }

    /**
     * Puts this build's API and test support into the local Maven repository, as the launcher's
     * build does, for an app's own build to resolve them.
     */
    static void installPlatformArtifacts() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String version = Scaffold.version();
        run(root, List.of("mvn", "-B", "-q", "-N", "install"));
        for (String module : List.of("api", "runtime", "testing")) {
            Path jar = root.resolve(module + "/target/nanolith-" + module + "-" + version + ".jar");
            assertTrue(Files.isRegularFile(jar), jar + " is built before the launcher's tests run");
            run(root, List.of("mvn", "-B", "-q", "-N", "org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file",
                    "-Dfile=" + jar, "-DpomFile=" + root.resolve(module + "/pom.xml")));
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
