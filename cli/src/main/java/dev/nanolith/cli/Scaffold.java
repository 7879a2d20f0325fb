package dev.nanolith.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A new app: one function, one test, its nanolith.yaml. */
final class Scaffold {

    private Scaffold() {
    }

    /** Writes the app into {@code dir}, which must not exist or be empty; returns the files written. */
    static Map<Path, String> write(Path dir, String app) throws IOException {
        if (Files.exists(dir) && (!Files.isDirectory(dir) || Files.list(dir).findAny().isPresent())) {
            throw new IOException(dir + " exists and is not empty — choose a new directory");
        }
        String pkg = app.replace("-", "");
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(Path.of("nanolith.yaml"), """
                # Everything here is optional; see the README's reference for the keys.
                app: %s
                functions:
                  %s.greet:
                    timeout: 2s
                    config:
                      greeting: Hello
                """.formatted(app, pkg));
        files.put(Path.of("src/main/java", pkg, "Greet.java"), """
                package %s;

                import dev.nanolith.Ctx;
                import dev.nanolith.Nano;

                /** Greets someone by name. */
                public final class Greet implements Nano<Greet.Person, Greet.Greeting> {

                    public record Person(String name) {}

                    public record Greeting(String text) {}

                    @Override
                    public Greeting apply(Person person, Ctx ctx) {
                        return new Greeting(ctx.config("greeting") + ", " + person.name() + "!");
                    }
                }
                """.formatted(pkg));
        files.put(Path.of("src/test/java", pkg, "GreetTest.java"), """
                package %s;

                import static org.junit.jupiter.api.Assertions.assertEquals;

                import dev.nanolith.Functions;
                import org.junit.jupiter.api.Test;

                /** Runs on every push to main: a failing test keeps the push out of production. */
                class GreetTest {

                    @Test
                    void greetsByName(Functions functions) {
                        assertEquals("Hello, Ada!", functions.call(Greet.class, new Greet.Person("Ada")).text());
                    }
                }
                """.formatted(pkg));
        files.put(Path.of(".gitignore"), "target/\n");
        for (Map.Entry<Path, String> file : files.entrySet()) {
            Path target = dir.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue());
        }
        return files;
    }
}
