package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An app's libraries, declared in its nanolith.yaml, resolved from Maven Central at push, as a user pushes them with git. */
class LibrariesTest {

    /** A library the platform does not ship. */
    static final String JODA = "joda-time:joda-time:2.14.0";

    static final String WEEKDAY = """
            package dates;

            import java.util.function.Function;
            import org.joda.time.LocalDate;

            /** The day of the week of a date, such as 2026-11-29. */
            public final class Weekday implements Function<String, String> {
                @Override
                public String apply(String date) {
                    return LocalDate.parse(date).dayOfWeek().getAsText(java.util.Locale.ENGLISH);
                }
            }
            """;

    static final String WEEKDAY_TEST = """
            package dates;

            import static org.junit.jupiter.api.Assertions.assertEquals;

            import dev.nanolith.Functions;
            import org.joda.time.LocalDate;
            import org.junit.jupiter.api.Test;

            class WeekdayTest {
                @Test
                void namesTheDay(Functions functions) {
                    assertEquals("Sunday", functions.apply(Weekday.class, new LocalDate(2026, 11, 29).toString()));
                }
            }
            """;

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

    static Path app(String name, String dependencies) {
        return TestApp.in(tmp.resolve(name)).yaml("app: " + name + "\n" + dependencies).source("dates/Weekday.java", WEEKDAY)
                .test("dates/WeekdayTest.java", WEEKDAY_TEST).write();
    }

    @Test
    void anAppUsesALibraryItDeclaresThatThePlatformDoesNotShip() {
        GitClient.Result push = Pushes.push(platform, app("calendar", "dependencies:\n  - " + JODA + "\n"), "calendar");
        assertTrue(push.ok(), push.output());
        assertTrue(push.output().contains("1 passed"), push.output());
        assertEquals("\"Sunday\"", new Http(platform.url()).post("/fn/dates.weekday", "\"2026-11-29\"").body());
    }

    @Test
    void aLibraryThatDoesNotResolveRefusesThePushAtItsLine() {
        GitClient.Result push = Pushes.push(platform, app("nowhere", "dependencies:\n  - " + JODA + "\n  - joda-time:joda-time-nope:9.9.9\n"), "nowhere");
        assertFalse(push.ok(), push.output());
        assertEquals(List.of("  nanolith.yaml:4: joda-time:joda-time-nope:9.9.9 is not in https://repo.maven.apache.org/maven2/ — check the group,"
                + " the name and the version (search.maven.org lists what there is)"), Pushes.fixLines(push.output()));

        GitClient.Result malformed = Pushes.push(platform, app("malformed", "dependencies: [joda-time]\n"), "malformed");
        assertEquals(List.of("  nanolith.yaml:2: dependency 'joda-time' is not a Maven coordinate — write groupId:artifactId:version,"
                + " like com.h2database:h2:2.5.252"), Pushes.fixLines(malformed.output()));

        GitClient.Result undeclared = Pushes.push(platform, app("undeclared", ""), "undeclared");
        assertFalse(undeclared.ok(), undeclared.output());
        assertTrue(undeclared.output().contains("remote:   src/main/java/dates/Weekday.java:4: package org.joda.time does not exist"), undeclared.output());
    }

    @Test
    void anAppSeesNothingOfThePlatformsInternals() {
        GitClient.Result compiled = Pushes.push(platform, TestApp.in(tmp.resolve("inside")).yaml("app: inside\n").source("inside/Serve.java", """
                package inside;

                import io.helidon.webserver.WebServer;

                public class Serve implements java.util.function.Supplier<String> {
                    public String get() {
                        return WebServer.class.getName();
                    }
                }
                """).write(), "inside");
        assertFalse(compiled.ok(), compiled.output());
        assertTrue(compiled.output().contains("remote:   src/main/java/inside/Serve.java:3: package io.helidon.webserver does not exist"),
                compiled.output());

        GitClient.Result loaded = Pushes.push(platform, TestApp.in(tmp.resolve("peek")).yaml("app: peek\n").source("peek/Peek.java", """
                package peek;

                public class Peek implements java.util.function.Function<String, String> {
                    public String apply(String name) {
                        try {
                            return Class.forName(name).getName();
                        } catch (ClassNotFoundException e) {
                            return "not found";
                        }
                    }
                }
                """).write(), "peek");
        assertTrue(loaded.ok(), loaded.output());
        Http http = new Http(platform.url());
        for (String internal : List.of("dev.nanolith.runtime.Router", "io.helidon.webserver.WebServer", "org.eclipse.jgit.api.Git",
                "com.fasterxml.jackson.databind.ObjectMapper", "org.h2.Driver", "org.junit.jupiter.api.Test")) {
            assertEquals("\"not found\"", http.post("/fn/peek.peek", "\"" + internal + "\"").body(), internal);
        }
        assertEquals("\"dev.nanolith.Nano\"", http.post("/fn/peek.peek", "\"dev.nanolith.Nano\"").body());
        assertEquals("\"java.util.List\"", http.post("/fn/peek.peek", "\"java.util.List\"").body());
    }
}
