package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Write your first function" works exactly as printed: every Java block in the README
 * is deployed as it stands, under {@code nanolith dev}, and every console block answers as shown.
 */
class FirstFunctionReadmeTest {

    static final Path README = Path.of("../README.md");

    @TempDir
    Path dir;

    @Test
    void theFirstFunctionsDeployUnderDevAndAnswerAsPrinted() throws Exception {
        String readme = Files.readString(README);
        String section = readme.substring(readme.indexOf("## Write your first function"), readme.indexOf("## Deploy with `git push`"));
        Path app = dir.resolve("hello");
        Files.createDirectories(app);
        Files.writeString(app.resolve("nanolith.yaml"), block(section, "`hello/nanolith.yaml`"));
        List<String> sources = blocks(section, "java");
        write(app, sources.getFirst());
        List<String> consoles = blocks(section, "console");

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (Platform platform = Platform.start(Platform.Options.loopback(0));
             PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
             DevLoop dev = new DevLoop(platform, app, out)) {
            Thread loop = Thread.ofVirtual().start(() -> {
                try {
                    dev.run();
                } catch (InterruptedException | RuntimeException e) {
                    // stopped by the test
                }
            });
            try {
                awaitPrinted(printed, "deployed hello r1");
                answersAsPrinted(consoles.get(0), platform);

                sources.subList(1, sources.size()).forEach(source -> write(app, source));
                awaitPrinted(printed, "deployed hello r2");
                answersAsPrinted(consoles.get(1), platform);

                Path hello = app.resolve("src/main/java/hello/greet/Hello.java");
                Files.writeString(hello, Files.readString(hello).replace("person.name()", "person.nmae()"));
                String refused = block(section, "Misspell `person.name()`");
                awaitPrinted(printed, refused.lines().toList().getLast());
                String all = printed.toString(StandardCharsets.UTF_8);
                assertTrue(all.contains(refused), "dev printed:\n" + all);
            } finally {
                loop.interrupt();
            }
        }
    }

    /** Runs each {@code $ } command of a console block against the platform and compares what it prints. */
    static void answersAsPrinted(String console, Platform platform) throws IOException, InterruptedException {
        List<String> lines = console.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("$ ")) {
                continue;
            }
            List<String> expected = new ArrayList<>();
            for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith("$ "); j++) {
                expected.add(lines.get(j));
            }
            String command = lines.get(i).substring(2).replace("localhost:8081", "127.0.0.1:" + platform.port());
            assertEquals(String.join("\n", expected), run(command), command);
        }
    }

    /** Writes a Java source where its package and its first public class put it. */
    static void write(Path app, String source) {
        Matcher pkg = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE).matcher(source);
        Matcher type = Pattern.compile("^public (?:final |abstract )?(?:class|interface|record|enum) (\\w+)", Pattern.MULTILINE).matcher(source);
        assertTrue(pkg.find() && type.find(), "a README Java block without package or public type:\n" + source);
        Path file = app.resolve("src/main/java").resolve(pkg.group(1).replace('.', '/')).resolve(type.group(1) + ".java");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, source);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void awaitPrinted(ByteArrayOutputStream printed, String line) throws InterruptedException {
        long until = System.nanoTime() + 60_000_000_000L;
        while (!printed.toString(StandardCharsets.UTF_8).contains(line)) {
            assertTrue(System.nanoTime() < until, "dev did not print '" + line + "':\n" + printed.toString(StandardCharsets.UTF_8));
            Thread.sleep(20);
        }
    }

    /** Every fenced block of {@code language} in {@code text}, in order. */
    static List<String> blocks(String text, String language) {
        List<String> found = new ArrayList<>();
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    /** The fenced block that follows the first line containing {@code marker}. */
    static String block(String text, String marker) {
        int at = text.indexOf(marker);
        if (at < 0) {
            throw new AssertionError("the README has no '" + marker + "'");
        }
        int open = text.indexOf("```", at);
        int start = text.indexOf('\n', open) + 1;
        int end = text.indexOf("```", start);
        return text.substring(start, end);
    }

    static String run(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return out;
    }
}
