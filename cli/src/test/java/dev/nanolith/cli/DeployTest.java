package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nanolith.runtime.placement.Deployment;
import dev.nanolith.runtime.placement.Manifest;
import dev.nanolith.runtime.load.LoadException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading an app: what is accepted, the precise messages for what is not, and atomic revision swaps. */
class DeployTest {

    static final String COUNTER = """
            package demo.count;

            import dev.nanolith.Ctx;
            import dev.nanolith.Nano;

            /** Says which version answered. */
            public final class Version implements Nano<Integer, String> {
                @Override
                public String apply(Integer sleepMillis, Ctx ctx) throws InterruptedException {
                    Thread.sleep(sleepMillis);
                    return "%s";
                }
            }
            """;

    @TempDir
    Path dir;
    Platform platform;
    Http http;

    @BeforeEach
    void start() {
        platform = Platform.start(Platform.Options.loopback(0).with(Map.of("PSP_KEY", "k-123", "REGION", "eu")));
        http = new Http(platform.url());
    }

    @AfterEach
    void stop() {
        platform.close();
    }

    TestApp app(String yaml) {
        return TestApp.in(dir.resolve("app")).yaml(yaml);
    }

    List<String> problems(TestApp app) {
        LoadException e = assertThrows(LoadException.class, () -> platform.deploy(app.write()));
        return e.problems().stream().map(Object::toString).toList();
    }

    @Test
    void aCompileErrorNamesFileAndLine() {
        List<String> problems = problems(app("app: broken\n").source("demo/x/Bad.java", """
                package demo.x;

                public final class Bad implements java.util.function.Function<String, String> {
                    public String apply(String s) {
                        return s.lenght();
                    }
                }
                """));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("src/main/java/demo/x/Bad.java:5: cannot find symbol"), problems.toString());
    }

    @Test
    void anUnknownConfigKeyNamesTheLineAndTheKnownKeys() {
        List<String> problems = problems(app("""
                app: shop
                functions:
                  x.echo:
                    timout: 2s
                """).source("demo/x/Echo.java", echo()));
        assertEquals(List.of("nanolith.yaml:4: unknown key 'timout' in functions.x.echo — use access, callers, calls, circuit-breaker, concurrency, config, description, fallback, hosts, idempotent,"
                + " isolated, library, owner, rate-limit, rate-limited, retry, secrets, timeout"), problems);
    }

    @Test
    void aValueOfTheWrongKindNamesTheLineAndWhatItMustBe() {
        List<String> problems = problems(app("""
                functions:
                  x.echo:
                    owner: [a, b]
                """).source("demo/x/Echo.java", echo()));
        assertEquals(List.of("nanolith.yaml:3: functions.x.echo.owner: must be a string, not a list"), problems);
        problems = problems(app("""
                functions:
                  x.echo:
                    library: yes
                """).source("demo/x/Echo.java", echo()));
        assertEquals(List.of("nanolith.yaml:3: functions.x.echo.library: must be true or false, not 'yes'"), problems);
        problems = problems(app("""
                functions: [x.echo]
                """).source("demo/x/Echo.java", echo()));
        assertEquals(List.of("nanolith.yaml:1: functions: must be a map (key: value lines), not a list"), problems);
        problems = problems(app("""
                functions:
                  x.echo: 5
                """).source("demo/x/Echo.java", echo()));
        assertEquals(List.of("nanolith.yaml:2: functions.x.echo: must be a map (key: value lines), not '5'"), problems);
        problems = problems(app("""
                functions:
                  x.echo:
                    timeout: [2s]
                """).source("demo/x/Echo.java", echo()));
        assertEquals(List.of("nanolith.yaml:3: functions.x.echo.timeout: a duration is one value, like 2s — not a list"), problems);
    }

    @Test
    void aHeapTooSmallForAWorkerNamesTheLine() {
        List<String> problems = problems(app("""
                services:
                  tiny:
                    functions: [x.*]
                    memory: 1m
                """).source("demo/x/Echo.java", echo()));
        assertEquals(List.of("nanolith.yaml:4: services.tiny: memory '1m' is too small for a worker — give at least 32m"), problems);
    }

    @Test
    void aBadDurationNamesTheLine() {
        List<String> problems = problems(app("""
                functions:
                  x.echo:
                    timeout: soon
                """).source("demo/x/Echo.java", echo()));
        assertEquals(List.of("nanolith.yaml:3: functions.x.echo.timeout: 'soon' is not a duration — write it like 250ms, 2s, 1m, 1h or 30d"), problems);
    }

    @Test
    void invalidYamlNamesTheLine() {
        List<String> problems = problems(app("access: public\nfunctions:\n  x.echo: [\n").source("demo/x/Echo.java", echo()));
        assertEquals(1, problems.size());
        assertEquals("nanolith.yaml:4: not valid YAML: expected the node content, but found '<stream end>'", problems.get(0));
    }

    @Test
    void configForAFunctionThatDoesNotExistIsRejected() {
        List<String> problems = problems(app("""
                app: shop
                functions:
                  x.ehco:
                    timeout: 2s
                """).source("demo/x/Echo.java", echo()));
        assertEquals(List.of("nanolith.yaml:3: functions.x.ehco: this app has no function 'x.ehco' — its functions are x.echo"), problems);
    }

    @Test
    void aFunctionNamedTwiceIsRejectedWithBothPlaces() {
        List<String> problems = problems(app("").source("demo/x/Echo.java", echo()).source("other/x/Echo.java", echo().replace("package demo.x", "package other.x")));
        assertEquals(List.of("src/main/java/other/x/Echo.java:6: function 'x.echo' is named twice (also src/main/java/demo/x/Echo.java:6)"
                + " — give one of them another name with @Name"), problems);
    }

    @Test
    void aCallToAFunctionThatDoesNotExistIsRejectedWhereItIsWritten() {
        List<String> problems = problems(app("").source("demo/x/Echo.java", echo()).source("demo/x/Caller.java", """
                package demo.x;

                import dev.nanolith.Ctx;
                import dev.nanolith.Nano;

                public final class Caller implements Nano<String, String> {
                    @Override
                    public String apply(String s, Ctx ctx) {
                        return ctx.call("x.ecko", s, String.class);
                    }
                }
                """));
        assertEquals(List.of("src/main/java/demo/x/Caller.java:9: calls 'x.ecko', which is not a function of this app — its functions are x.caller, x.echo"), problems);
    }

    @Test
    void aMissingSecretOrSettingIsRejectedWithItsLine() {
        List<String> problems = problems(app("""
                functions:
                  x.echo:
                    secrets: [PSP_KEY, NOT_SET_ANYWHERE_42]
                    config:
                      region: ${REGION}
                      zone: ${ZONE_NOT_SET_42}
                """).source("demo/x/Echo.java", echo()));
        assertEquals(List.of("nanolith.yaml:6: ${ZONE_NOT_SET_42} is not set — set the environment variable ZONE_NOT_SET_42 or give a default: ${ZONE_NOT_SET_42:-value}"), problems);
        List<String> secret = problems(app("""
                functions:
                  x.echo:
                    secrets: [PSP_KEY, NOT_SET_ANYWHERE_42]
                """).source("demo/x/Echo.java", echo()));
        assertEquals(List.of("nanolith.yaml:3: secret NOT_SET_ANYWHERE_42 of 'x.echo' is not set — ./nanolith secrets set app NOT_SET_ANYWHERE_42 sets it on the platform (for nanolith test and dev: the environment variable NOT_SET_ANYWHERE_42)"), secret);
    }

    @Test
    void aSecretListedTwiceOrNotSetIsRefusedAtItsItemsLineAndOneNameNeedsNoList() {
        assertEquals(List.of("nanolith.yaml:5: secret PSP_KEY is listed twice — list it once"), problems(app("""
                functions:
                  x.echo:
                    secrets:
                      - PSP_KEY
                      - PSP_KEY
                """).source("demo/x/Echo.java", echo())));
        assertEquals(List.of("nanolith.yaml:3: secret NOT_SET_ANYWHERE_42 of 'x.echo' is not set — ./nanolith secrets set app NOT_SET_ANYWHERE_42"
                + " sets it on the platform (for nanolith test and dev: the environment variable NOT_SET_ANYWHERE_42)"), problems(app("""
                functions:
                  x.echo:
                    secrets: NOT_SET_ANYWHERE_42
                """).source("demo/x/Echo.java", echo())));
    }

    @Test
    void secretsAndSettingsReachOnlyTheFunctionThatDeclaresThem() throws Exception {
        platform.deploy(app("""
                functions:
                  x.keeper:
                    secrets: [PSP_KEY]
                    config:
                      region: ${REGION}
                      tier: ${TIER:-gold}
                """).source("demo/x/Keeper.java", """
                package demo.x;

                import dev.nanolith.Ctx;
                import dev.nanolith.Nano;

                public final class Keeper implements Nano<String, String> {
                    @Override
                    public String apply(String what, Ctx ctx) {
                        return what.equals("other") ? ctx.call(Snoop.class, "") : ctx.secret("PSP_KEY") + " " + ctx.config("region") + " " + ctx.config("tier");
                    }
                }
                """).source("demo/x/Snoop.java", """
                package demo.x;

                import dev.nanolith.Ctx;
                import dev.nanolith.Nano;

                public final class Snoop implements Nano<String, String> {
                    @Override
                    public String apply(String what, Ctx ctx) {
                        try {
                            return ctx.secret("PSP_KEY");
                        } catch (IllegalStateException e) {
                            return e.getMessage();
                        }
                    }
                }
                """).write());
        assertEquals("\"k-123 eu gold\"", http.post("/fn/x.keeper", "\"mine\"").body());
        assertEquals("\"'x.snoop' has no secret 'PSP_KEY' — list it under functions.x.snoop.secrets in nanolith.yaml\"",
                http.post("/fn/x.keeper", "\"other\"").body());
    }

    @Test
    void appWideConfigAndYamlAnchorsReachEveryFunction() throws Exception {
        platform.deploy(app("""
                config:
                  region: ${REGION}
                  tier: silver
                functions:
                  x.keeper:
                    <<: &defaults {timeout: 2s}
                    config:
                      tier: gold
                  x.snoop:
                    <<: *defaults
                """)
                .source("demo/x/Keeper.java", """
                package demo.x;

                import dev.nanolith.Ctx;
                import dev.nanolith.Nano;

                public final class Keeper implements Nano<String, String> {
                    @Override
                    public String apply(String what, Ctx ctx) {
                        return ctx.config("region") + " " + ctx.config("tier") + " " + ctx.call(Snoop.class, "");
                    }
                }
                """).source("demo/x/Snoop.java", """
                package demo.x;

                import dev.nanolith.Ctx;
                import dev.nanolith.Nano;

                public final class Snoop implements Nano<String, String> {
                    @Override
                    public String apply(String what, Ctx ctx) {
                        return ctx.config("region") + " " + ctx.config("tier");
                    }
                }
                """).write());
        assertEquals("\"eu gold eu silver\"", http.post("/fn/x.keeper", "\"\"").body());
        assertEquals(List.of("2s", "2s"), http.get("/fn").json().findValuesAsText("timeout"));
    }

    @Test
    void servicesMustPlaceExistingFunctionsOnceEach() {
        List<String> problems = problems(app("""
                services:
                  storefront: [x.*]
                  mirror:
                    functions: [x.echo, y.*]
                """).source("demo/x/Echo.java", echo()));
        assertEquals(List.of(
                "nanolith.yaml:4: services.mirror: 'x.echo' is in service 'storefront' already — a function belongs to one service",
                "nanolith.yaml:4: services.mirror: 'y.*' matches no function — its functions are x.echo"), problems);
    }

    @Test
    void anAliasWithoutAnchorIsRejectedWithItsLine() {
        List<String> problems = problems(app("""
                functions:
                  x.echo: *nothing
                """).source("demo/x/Echo.java", echo()));
        assertEquals(List.of("nanolith.yaml:2: alias *nothing has no anchor &nothing before it"), problems);
    }

    @Test
    void functionsAreNamedByPackageAndClassUnlessTheySayOtherwise() throws Exception {
        Deployment r = platform.deploy(app("").source("shop/checkout/VerifyItems.java", """
                package shop.checkout;

                public final class VerifyItems implements java.util.function.Function<String, Boolean> {
                    public Boolean apply(String sku) {
                        return !sku.isEmpty();
                    }
                }
                """).source("shop/checkout/Other.java", """
                package shop.checkout;

                @dev.nanolith.Name("checkout.renamed")
                public final class Other implements java.util.function.Function<String, String> {
                    public String apply(String s) {
                        return s;
                    }
                }
                """).write());
        assertEquals(List.of("checkout.renamed", "checkout.verify-items"), r.functions().stream().map(Manifest.Function::name).sorted().toList());
        assertEquals("true", http.post("/fn/checkout.verify-items", "\"sku-1\"").body());
    }

    @Test
    void aNewRevisionTakesOverAtomicallyWhileCallsInFlightFinishOnTheOldOne() throws Exception {
        TestApp app = app("app: counter\n");
        Deployment first = platform.deploy(app.source("demo/count/Version.java", COUNTER.formatted("one")).write());
        CompletableFuture<Http.Response> inFlight = CompletableFuture.supplyAsync(() -> http.post("/fn/count.version", "700"));
        Thread.sleep(200);
        Deployment second = platform.deploy(app.source("demo/count/Version.java", COUNTER.formatted("two")).write());
        assertEquals("\"two\"", http.post("/fn/count.version", "0").body());
        assertEquals("\"one\"", inFlight.get(10, TimeUnit.SECONDS).body());
        assertEquals("r1", first.id());
        assertEquals("r2", second.id());
        assertEquals("r2", http.get("/health").json().path("apps").path("counter").path("revision").asText());
    }

    @Test
    void theReplacedRevisionsWorkerEndsAfterASwap() throws Exception {
        TestApp app = app("app: counter\n");
        platform.deploy(app.source("demo/count/Version.java", COUNTER.formatted("one")).write());
        assertEquals("\"one\"", http.post("/fn/count.version", "0").body());
        ProcessHandle old = ProcessHandle.of(platform.servicePids().get("counter")).orElseThrow();
        platform.deploy(app.source("demo/count/Version.java", COUNTER.formatted("two")).write());
        assertEquals("\"two\"", http.post("/fn/count.version", "0").body());
        assertTrue(old.onExit().get(30, TimeUnit.SECONDS).pid() > 0);
        assertFalse(old.isAlive(), "the replaced revision's worker still runs");
    }

    @Test
    void aRejectedDeployLeavesTheServingRevisionUntouched() throws Exception {
        TestApp app = app("app: counter\n");
        platform.deploy(app.source("demo/count/Version.java", COUNTER.formatted("one")).write());
        assertThrows(LoadException.class, () -> platform.deploy(app.source("demo/count/Version.java", "class Broken {").write()));
        assertEquals("\"one\"", http.post("/fn/count.version", "0").body());
        assertEquals("r1", http.get("/health").json().path("apps").path("counter").path("revision").asText());
    }

    static String echo() {
        return """
                package demo.x;

                import java.util.function.Function;

                /** Echoes its input. */
                public final class Echo implements Function<String, String> {
                    public String apply(String s) {
                        return s;
                    }
                }
                """;
    }
}
