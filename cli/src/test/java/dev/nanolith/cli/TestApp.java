package dev.nanolith.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An app written to a directory for a test: its nanolith.yaml and its Java sources. Its functions
 * are public ({@code access: public} is added at the end) unless its nanolith.yaml sets the app's
 * access: tests call them without credentials.
 */
final class TestApp {

    private final Path dir;
    private String yaml = "";
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, String> tests = new LinkedHashMap<>();

    private TestApp(Path dir) {
        this.dir = dir;
    }

    static TestApp in(Path dir) {
        return new TestApp(dir);
    }

    TestApp yaml(String text) {
        this.yaml = text;
        return this;
    }

    /** Adds a source by its path under src/main/java, such as {@code demo/greet/Hello.java}. */
    TestApp source(String path, String text) {
        sources.put(path, text);
        return this;
    }

    /** Adds a test by its path under src/test/java, such as {@code demo/greet/HelloTest.java}. */
    TestApp test(String path, String text) {
        tests.put(path, text);
        return this;
    }

    /** Writes the app, replacing what an earlier write left, and returns its directory. */
    Path write() {
        try {
            if (Files.exists(dir)) {
                try (var files = Files.walk(dir)) {
                    // Its repository stays: the app is written again for its next push.
                    files.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(dir) && !dir.relativize(p).startsWith(".git"))
                            .forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(dir);
            boolean setsAccess = yaml.lines().anyMatch(line -> line.startsWith("access:"));
            Files.writeString(dir.resolve("nanolith.yaml"), setsAccess ? yaml
                    : yaml + (yaml.isEmpty() || yaml.endsWith("\n") ? "" : "\n") + "access: public\n");
            write("src/main/java", sources);
            write("src/test/java", tests);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(String folder, Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> e : files.entrySet()) {
            Path file = dir.resolve(folder).resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
        }
    }
}
