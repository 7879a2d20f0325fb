package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nanolith.runtime.placement.Placement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An app of plain {@code Function}, {@code Supplier} and {@code Consumer} classes that call one
 * another by class, pushed with git to a monolith and to a platform that splits it into services:
 * both answer the same.
 */
class FunctionShapesTest {

    @TempDir
    static Path tmp;
    static Platform monolith;
    static Platform services;

    @BeforeAll
    static void start() throws Exception {
        monolith = Platform.start(Platform.Options.loopback(0).withData(tmp.resolve("monolith")));
        services = Platform.start(Platform.Options.loopback(0).withData(tmp.resolve("services")).placed(Placement.Mode.SERVICES));
        for (Platform platform : List.of(monolith, services)) {
            Path dir = plainApp(tmp.resolve("plain-" + platform.port()));
            GitClient.Result push = Pushes.push(platform, dir, "plain");
            assertTrue(push.ok() && push.output().contains("remote: deployed plain r1"), push.output());
        }
        assertEquals(2, services.servicePids().size(), "accounts and utils run in processes of their own");
    }

    @AfterAll
    static void stop() {
        services.close();
        monolith.close();
    }

    static Path plainApp(Path dir) {
        return TestApp.in(dir)
                .yaml("""
                        app: plain
                        services:
                          accounts: [account.*]
                          utils: [util.*]
                        """)
                .source("plain/util/NormalizeEmail.java", """
                        package plain.util;

                        import java.util.Locale;
                        import java.util.function.Function;

                        /** Trims an email address and writes it in lower case. */
                        public final class NormalizeEmail implements Function<String, String> {
                            @Override
                            public String apply(String raw) {
                                return raw.strip().toLowerCase(Locale.ROOT);
                            }
                        }
                        """)
                .source("plain/util/Terms.java", """
                        package plain.util;

                        import java.util.function.Supplier;

                        /** The terms of use new accounts agree to. */
                        public final class Terms implements Supplier<Terms.Version> {
                            public record Version(int number, String url, String changes) {
                                public boolean isCurrent() {
                                    return true;
                                }
                            }

                            @Override
                            public Version get() {
                                return new Version(3, "https://example.com/terms/3", null);
                            }
                        }
                        """)
                .source("plain/util/Audit.java", """
                        package plain.util;

                        import java.util.List;
                        import java.util.concurrent.CopyOnWriteArrayList;
                        import java.util.function.Consumer;

                        /** Adds an event to the audit trail. */
                        public final class Audit implements Consumer<Audit.Event> {
                            /** What happened, and who did it: null for the user themself. */
                            public record Event(String what, String by) {}

                            static final List<String> TRAIL = new CopyOnWriteArrayList<>();

                            @Override
                            public void accept(Event event) {
                                TRAIL.add(event.what() + (event.by() == null ? "" : " by " + event.by()));
                            }
                        }
                        """)
                .source("plain/util/AuditTrail.java", """
                        package plain.util;

                        import java.util.List;
                        import java.util.function.Supplier;

                        /** The audit trail so far. */
                        public final class AuditTrail implements Supplier<List<String>> {
                            @Override
                            public List<String> get() {
                                return List.copyOf(Audit.TRAIL);
                            }
                        }
                        """)
                .source("plain/account/SignUp.java", """
                        package plain.account;

                        import dev.nanolith.Functions;
                        import java.util.function.Function;
                        import plain.util.Audit;
                        import plain.util.NormalizeEmail;
                        import plain.util.Terms;

                        /** Opens an account. */
                        public final class SignUp implements Function<SignUp.Form, SignUp.Account> {
                            public record Form(String email) {}
                            public record Account(String email, int terms) {}

                            private final Functions functions;

                            public SignUp(Functions functions) {
                                this.functions = functions;
                            }

                            @Override
                            public Account apply(Form form) {
                                String email = functions.apply(NormalizeEmail.class, form.email());
                                functions.accept(Audit.class, new Audit.Event("signed up " + email, null));
                                return new Account(email, functions.get(Terms.class).number());
                            }
                        }
                        """)
                .test("plain/UtilTest.java", """
                package plain;

                import static org.junit.jupiter.api.Assertions.assertEquals;

                import dev.nanolith.Functions;
                import org.junit.jupiter.api.Test;
                import plain.util.NormalizeEmail;
                import plain.util.Terms;

                class UtilTest {
                    @Test
                    void normalizesAndKnowsTheTerms(Functions functions) {
                        assertEquals("ada@example.com", functions.apply(NormalizeEmail.class, " Ada@Example.com"));
                        assertEquals(3, functions.get(Terms.class).number());
                    }
                }
                """).write();
    }

    /** The same calls, in order, with their status and body as each platform answered. */
    static List<String> scenario(Platform platform) {
        Http http = new Http(platform.url());
        List<String> answers = new ArrayList<>();
        for (String[] call : new String[][] {
                {"account.sign-up", "{\"email\":\" Ada@Example.COM \"}"},
                {"util.terms", ""},
                {"util.terms", "{ }"},
                {"util.terms", "{\"version\":3}"},
                {"util.audit", "{\"what\":\"checked the terms\",\"by\":\"ops\"}"},
                {"util.audit", "{\"what\":\"checked the terms\"}"},
                {"util.audit-trail", ""},
                {"util.normalize-email", "\"  Grace@Example.com\""}}) {
            Http.Response r = http.post("/fn/" + call[0], call[1]);
            answers.add(r.status() + " " + r.body());
        }
        return answers;
    }

    @Test
    void plainJavaFunctionsCallOneAnotherByClassAndAnswerTheSameInEveryPlacement() {
        List<String> expected = List.of(
                "200 {\"email\":\"ada@example.com\",\"terms\":3}",
                "200 {\"number\":3,\"url\":\"https://example.com/terms/3\",\"changes\":null,\"current\":true}",
                "200 {\"number\":3,\"url\":\"https://example.com/terms/3\",\"changes\":null,\"current\":true}",
                "400 {\"error\":\"bad-input\",\"message\":\"'util.terms' takes no input — send no body, or {}\"}",
                "204 ",
                "400 {\"error\":\"bad-input\",\"message\":\"field 'by' is missing\"}",
                "200 [\"signed up ada@example.com\",\"checked the terms by ops\"]",
                "200 \"grace@example.com\"");
        assertEquals(expected, scenario(monolith));
        assertEquals(expected, scenario(services));
    }

    @Test
    void nanolithTestChecksTheAppInItsServicesAsAPushDoes() throws Exception {
        EditTestLoopTest.Run checked = EditTestLoopTest.run(InitTest.javaCommand("test", plainApp(tmp.resolve("checked")).toString(),
                "--placement", "services"));
        assertEquals(0, checked.exit(), checked.output());
        assertTrue(checked.output().lines().anyMatch(l -> l.matches(" {2}workers +\\d+ ms {2}2 workers started: accounts, utils")), checked.output());
        assertTrue(checked.output().lines().anyMatch(l -> l.matches(" {2}test +\\d+ ms {2}1 passed")), checked.output());
    }

    @Test
    void theListShowsASupplierWithoutInputAndAConsumerWithoutOutput() {
        for (Platform platform : List.of(monolith, services)) {
            JsonNode terms = function(platform, "util.terms");
            assertFalse(terms.has("input"), terms.toString());
            assertEquals("integer", terms.path("output").path("properties").path("number").path("type").asText(), terms.toString());
            JsonNode audit = function(platform, "util.audit");
            assertEquals("string", audit.path("input").path("properties").path("what").path("type").asText(), audit.toString());
            assertFalse(audit.has("output"), audit.toString());
            assertEquals("Adds an event to the audit trail.", audit.path("description").asText());
        }
    }

    static JsonNode function(Platform platform, String name) {
        for (JsonNode fn : new Http(platform.url()).get("/fn").json()) {
            if (fn.path("name").asText().equals(name)) {
                return fn;
            }
        }
        throw new AssertionError("no " + name);
    }

    @Test
    void aClassThatLooksLikeAFunctionButCannotBeOneIsRefusedWithTheReason() throws Exception {
        Path dir = TestApp.in(tmp.resolve("unfit")).yaml("app: unfit\n")
                .source("unfit/shapes/Shapes.java", """
                        package unfit.shapes;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;
                        import java.util.function.Consumer;
                        import java.util.function.Function;
                        import java.util.function.Supplier;

                        public abstract class Shapes implements Function<String, String> {
                            public static final class NeedsPort implements Supplier<String> {
                                public NeedsPort(int port) {}
                                public String get() { return "x"; }
                            }
                            @SuppressWarnings("rawtypes")
                            public static final class Raw implements Consumer {
                                public void accept(Object o) {}
                            }
                            public static final class Both implements Supplier<String>, Consumer<String> {
                                public String get() { return "x"; }
                                public void accept(String s) {}
                            }
                            public final class Inner implements Supplier<String> {
                                public String get() { return "x"; }
                            }
                            public static final class Caller implements Nano<String, String> {
                                public String apply(String s, Ctx ctx) {
                                    return ctx.apply(Helper.class, s);
                                }
                            }
                            static final class Helper implements Function<String, String> {
                                public String apply(String s) { return s; }
                            }
                            public enum Mode implements Supplier<String> {
                                FAST;
                                public String get() { return name(); }
                            }
                        }
                        """).write();
        GitClient.Result push = Pushes.push(monolith, dir, "unfit");
        assertFalse(push.ok(), push.output());
        String file = "  src/main/java/unfit/shapes/Shapes.java:";
        assertEquals(List.of(
                file + "9: Shapes cannot be deployed as a function: it is abstract — make it concrete, or not public if it is a base for functions",
                file + "18: Both cannot be deployed as a function: it implements Supplier and Consumer — a function implements one of them",
                file + "22: Inner cannot be deployed as a function: it is an inner class, which needs an instance of Shapes — make it static",
                file + "33: Mode cannot be deployed as a function: it is an enum — a function is a class the platform makes one object of,"
                        + " with a public constructor that takes nothing or a dev.nanolith.Functions",
                file + "10: NeedsPort cannot be deployed as a function: it has no public constructor without parameters — add one, or one that"
                        + " takes a dev.nanolith.Functions to call other functions",
                file + "15: Raw cannot be deployed as a function: it implements Consumer without type arguments — name its types, like Consumer<Order>",
                file + "27: calls Shapes.Helper, which is not a function of this app — a function is a public, concrete class"),
                Pushes.fixLines(push.output()));
        assertEquals(404, new Http(monolith.url()).post("/fn/shapes.caller", "\"x\"").status());
    }
}
