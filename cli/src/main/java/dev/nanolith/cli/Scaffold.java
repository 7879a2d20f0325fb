package dev.nanolith.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** A new app: one function, one test, its nanolith.yaml, and a Maven build file for IDEs and {@code mvn test}. */
final class Scaffold {

    private Scaffold() {
    }

    /** The platform's version, which the new app's build file asks for. */
    static String version() {
        try (InputStream in = Scaffold.class.getResourceAsStream("version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            String version = properties.getProperty("version", "");
            if (version.isEmpty() || version.startsWith("${")) {
                throw new IllegalStateException("the platform was built without its version (version.properties) — build it again with ./nanolith");
            }
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException("the platform's version cannot be read: " + e.getMessage(), e);
        }
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
                    # Who may call it through the gateway: public (anyone), key (an API key whose
                    # scopes name it; the default) or internal (only the app's own functions).
                    access: public
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

                /** Runs on every push to main, and with mvn test: a failing test keeps the push out of production. */
                class GreetTest {

                    @Test
                    void greetsByName(Functions functions) {
                        assertEquals("Hello, Ada!", functions.call(Greet.class, new Greet.Person("Ada")).text());
                    }
                }
                """.formatted(pkg));
        files.put(Path.of("pom.xml"), pom(app, pkg, version()));
        files.put(Path.of(".gitignore"), "target/\n");
        for (Map.Entry<Path, String> file : files.entrySet()) {
            Path target = dir.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue());
        }
        return files;
    }

    /**
     * A Maven build for the app's IDE and {@code mvn test}: the API to compile against, and the
     * app's tests run as a push runs them. The platform compiles the app itself when it deploys.
     */
    private static String pom(String app, String pkg, String version) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <!-- For the IDE and for mvn test, which runs the app's tests as a push does. The platform compiles the
                     app itself when it deploys it; nothing this file builds is deployed. -->
                <project xmlns="http://maven.apache.org/POM/4.0.0"
                         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>%2$s</groupId>
                  <artifactId>%1$s</artifactId>
                  <version>1.0-SNAPSHOT</version>

                  <properties>
                    <maven.compiler.release>21</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                    <!-- Installed into the local Maven repository by the platform's launcher when it builds. -->
                    <nanolith.version>%3$s</nanolith.version>
                  </properties>

                  <dependencies>
                    <dependency>
                      <groupId>dev.nanolith</groupId>
                      <artifactId>nanolith-api</artifactId>
                      <version>${nanolith.version}</version>
                      <scope>provided</scope>
                    </dependency>
                    <!-- JUnit, and the Functions parameter that calls the app's functions through the real pipeline. -->
                    <dependency>
                      <groupId>dev.nanolith</groupId>
                      <artifactId>nanolith-testing</artifactId>
                      <version>${nanolith.version}</version>
                      <scope>test</scope>
                    </dependency>
                  </dependencies>

                  <build>
                    <plugins>
                      <!-- Builds and tests with a JDK 21 or newer, found among those installed, whatever Java runs Maven. -->
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-toolchains-plugin</artifactId>
                        <version>3.2.0</version>
                        <executions>
                          <execution>
                            <goals><goal>select-jdk-toolchain</goal></goals>
                            <configuration><version>[21,)</version></configuration>
                          </execution>
                        </executions>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-compiler-plugin</artifactId>
                        <version>3.14.0</version>
                        <configuration><parameters>true</parameters></configuration>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-resources-plugin</artifactId>
                        <version>3.3.1</version>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-surefire-plugin</artifactId>
                        <version>3.5.4</version>
                        <configuration>
                          <!-- The test runner loads the app as the platform does, compiling it against the class path: it must list real jars. -->
                          <useManifestOnlyJar>false</useManifestOnlyJar>
                          <!-- JUnit finds the extension that gives tests their Functions parameter only when told to look. -->
                          <properties>
                            <configurationParameters>junit.jupiter.extensions.autodetection.enabled = true</configurationParameters>
                          </properties>
                        </configuration>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(app, pkg, version);
    }
}
