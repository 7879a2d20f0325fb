package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nanolith.runtime.load.LoadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Write your first function" works exactly as printed. */
class FirstFunctionReadmeTest {

    static final Path README = Path.of("../README.md");

    @TempDir
    Path dir;

    @Test
    void theFirstFunctionDeploysAndAnswersAsPrinted() throws Exception {
        String readme = Files.readString(README);
        Path app = dir.resolve("hello");
        Files.createDirectories(app.resolve("src/main/java/hello/greet"));
        Files.writeString(app.resolve("nanolith.yaml"), block(readme, "`hello/nanolith.yaml`"));
        Files.writeString(app.resolve("src/main/java/hello/greet/Hello.java"), block(readme, "`hello/src/main/java/hello/greet/Hello.java`"));
        List<String> console = block(readme, "Run it with `./nanolith run --port 8081 hello`").lines().toList();

        try (Platform platform = Platform.start(Platform.Options.loopback(0))) {
            platform.deploy(app);
            String command = console.get(0).substring(2).replace("localhost:8081", "127.0.0.1:" + platform.port());
            assertEquals(String.join("\n", console.subList(1, console.size())), run(command));

            Files.writeString(app.resolve("nanolith.yaml"), block(readme, "`hello/nanolith.yaml`").replace("timeout:", "timout:"));
            LoadException e = assertThrows(LoadException.class, () -> platform.deploy(app));
            List<String> printed = block(readme, "Mistakes are reported before anything is deployed").lines().skip(1).map(String::strip).toList();
            assertEquals(printed, e.problems().stream().map(Object::toString).toList());
        }
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
