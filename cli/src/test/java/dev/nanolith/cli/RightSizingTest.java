package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nanolith.runtime.placement.Placement;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The granularity audit and the placement planner on one platform placing apps by their
 * {@code services:}: an app written with the anti-pattern's faults gets each finding, with its
 * evidence, on its push and from its traffic; a clean app gets none; a plan applied as a new
 * revision is kept by the next push, written to the app's repository and rolled back; library
 * functions run with their callers; and enforced guidelines refuse a push.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RightSizingTest {

    /** The faults: orders.place depends on four services; ledger has one caller; formatting is a utility service; orders.total is billing.sum-lines. */
    static final String FAULTS_YAML = """
            app: faults
            services:
              orders: {functions: [orders.*], owner: shop-team}
              ledger: {functions: [ledger.*], owner: money-team}
              formatting: {functions: [formatting.*], owner: platform-team}
              stock: {functions: [stock.*], owner: shop-team}
              mail: {functions: [mail.*], owner: shop-team}
            """;

    @TempDir
    static Path tmp;
    static Platform platform;
    static Http http;
    static Path faults;

    @BeforeAll
    static void start() throws Exception {
        platform = Platform.start(Platform.Options.loopback(0).withData(tmp.resolve("data")).placed(Placement.Mode.SERVICES));
        http = new Http(platform.url());
        faults = faults(tmp.resolve("faults"), FAULTS_YAML).write();
        platform.deploy(TestApp.in(tmp.resolve("other")).yaml("""
                        app: other
                        services:
                          billing: {functions: [billing.*], owner: billing-team}
                        """)
                .source("billing/Line.java", """
                        package billing;

                        public record Line(String article, int count, int cents) {
                        }
                        """)
                .source("billing/SumLines.java", """
                        package billing;

                        import java.util.List;
                        import java.util.function.Function;

                        /** What a bill's lines come to, in cents, a discount over ten of an article taken off. */
                        public class SumLines implements Function<List<Line>, Integer> {
                            public Integer apply(List<Line> lines) {
                                int sum = 0;
                                for (Line line : lines) {
                                    int amount = line.count() * line.cents();
                                    if (line.count() > 10) {
                                        amount = amount - amount / 20;
                                    }
                                    if (amount < 0) {
                                        throw new IllegalArgumentException("negative line " + line.article());
                                    }
                                    sum += amount;
                                }
                                return sum;
                            }
                        }
                        """).write());
        platform.deploy(TestApp.in(tmp.resolve("tidy")).yaml("""
                        app: tidy
                        services:
                          greetings: {functions: [greet.*], owner: greeters}
                        """)
                .source("greet/Hello.java", """
                        package greet;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;

                        /** Greets someone by the name greet.name gives. */
                        public class Hello implements Nano<String, String> {
                            public String apply(String who, Ctx ctx) {
                                return "Hello, " + ctx.call("greet.name", who, String.class);
                            }
                        }
                        """)
                .source("greet/Name.java", """
                        package greet;

                        import java.util.function.Function;

                        /** A name as a greeting says it. */
                        public class Name implements Function<String, String> {
                            public String apply(String who) {
                                return who.strip();
                            }
                        }
                        """).write());
    }

    /** The faulty app in {@code dir}, with {@code yaml} as its config. */
    static TestApp faults(Path dir, String yaml) {
        return TestApp.in(dir).yaml(yaml)
                .source("orders/Line.java", """
                        package orders;

                        public record Line(String sku, int quantity, int price) {
                        }
                        """)
                .source("orders/Total.java", """
                        package orders;

                        import java.util.List;
                        import java.util.function.Function;

                        /** An order's total in cents, with the bulk discount. */
                        public class Total implements Function<List<Line>, Integer> {
                            public Integer apply(List<Line> items) {
                                int total = 0;
                                for (Line item : items) {
                                    int price = item.quantity() * item.price();
                                    if (item.quantity() > 12) {
                                        price = price - price / 25;
                                    }
                                    if (price < 0) {
                                        throw new IllegalArgumentException("bad item " + item.sku());
                                    }
                                    total += price;
                                }
                                return total;
                            }
                        }
                        """)
                .source("orders/Place.java", """
                        package orders;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;
                        import java.util.List;

                        /** Places an order: totals it, books it, reserves its stock and mails the customer. */
                        public class Place implements Nano<List<Line>, String> {
                            public String apply(List<Line> items, Ctx ctx) {
                                int total = ctx.call("orders.total", items, Integer.class);
                                String amount = ctx.call("formatting.format-amount", total, String.class);
                                ctx.call("ledger.record", total, String.class);
                                ctx.call("stock.reserve", items.size(), Integer.class);
                                return ctx.call("mail.send", amount, String.class);
                            }
                        }
                        """)
                .source("ledger/Record.java", """
                        package ledger;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;

                        /** Books an amount. */
                        public class Record implements Nano<Integer, String> {
                            public String apply(Integer cents, Ctx ctx) {
                                return "booked " + ctx.call("formatting.format-amount", cents, String.class);
                            }
                        }
                        """)
                .source("formatting/FormatAmount.java", """
                        package formatting;

                        import java.util.function.Function;

                        /** Cents as euros. */
                        public class FormatAmount implements Function<Integer, String> {
                            public String apply(Integer cents) {
                                return String.format("%d.%02d EUR", cents / 100, cents % 100);
                            }
                        }
                        """)
                .source("stock/Reserve.java", """
                        package stock;

                        import java.util.function.Function;

                        /** Reserves items; returns how many. */
                        public class Reserve implements Function<Integer, Integer> {
                            public Integer apply(Integer items) {
                                return items;
                            }
                        }
                        """)
                .source("mail/Send.java", """
                        package mail;

                        import java.util.function.Function;

                        /** Mails the customer. */
                        public class Send implements Function<String, String> {
                            public String apply(String text) {
                                return "mailed " + text;
                            }
                        }
                        """);
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    static final String ORDER = "[{\"sku\":\"A-1\",\"quantity\":2,\"price\":1250},{\"sku\":\"B-2\",\"quantity\":20,\"price\":100}]";

    @Test
    @Order(1)
    void aPushIsToldWhatTheGuidelinesFlagInItsCode() {
        GitClient.Result pushed = Pushes.push(platform, faults, "faults");
        assertTrue(pushed.ok(), pushed.output());
        assertTrue(pushed.output().contains("guideline many-dependencies orders.place: its code calls into 4 services besides its own:"
                + " formatting, ledger, mail, stock (at most 3)"), pushed.output());
        assertTrue(pushed.output().contains("guideline utility-service formatting: a technical utility in a process of its own, called from"
                + " ledger, orders"), pushed.output());
        assertTrue(pushed.output().contains("guideline spread-team shop-team: owns 3 services: mail, orders, stock"), pushed.output());
        assertTrue(pushed.output().contains("deployed faults r1"), pushed.output());
    }

    @Test
    @Order(2)
    void anAppWithTheAntiPatternsFaultsGetsEachFindingWithItsEvidence() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            assertEquals(200, http.post("/fn/orders.place", ORDER).status());
        }
        JsonNode audit = admin("GET", "/apps/faults/audit").json();
        Map<String, JsonNode> found = findings(audit);
        JsonNode dependencies = found.get("many-dependencies orders.place");
        assertTrue(dependencies != null, audit.toString());
        assertEquals("calls 4 services besides its own: formatting, ledger, mail, stock (at most 3)", dependencies.path("evidence").asText());
        assertEquals(32, dependencies.path("traces").path(0).asText().length(), "with a trace to look at");
        JsonNode single = found.get("single-caller ledger");
        assertTrue(single != null, audit.toString());
        assertEquals("merge 'ledger' into 'orders'", single.path("action").asText());
        JsonNode utility = found.get("utility-service formatting");
        assertTrue(utility != null, audit.toString());
        assertTrue(utility.path("evidence").asText().startsWith("formatting.format-amount: a technical utility in a process of its own, called"
                + " from 2 services (ledger, orders), 10 calls between processes"), utility.toString());
        assertEquals("make it a library function: library: true under functions.formatting.format-amount places a copy with each caller,"
                + " behind no hop", utility.path("action").asText());
        JsonNode duplicate = found.get("duplicate orders.total = other/billing.sum-lines");
        assertTrue(duplicate != null, audit.toString());
        assertTrue(duplicate.path("evidence").asText().contains("owners: shop-team and billing-team"), duplicate.toString());
        assertTrue(found.containsKey("spread-team shop-team"), "shop-team runs orders, stock and mail: " + found.keySet());

        JsonNode formatting = service(audit, "formatting");
        assertEquals("yes", answer(formatting, "better as a library?").path("answer").asText());
        assertEquals("no", answer(formatting, "no shared infrastructure service?").path("answer").asText());
        assertEquals("no", answer(service(audit, "ledger"), "several callers?").path("answer").asText());
        JsonNode place = null;
        for (JsonNode op : audit.path("operations")) {
            place = op.path("entry").asText().equals("orders.place") ? op : place;
        }
        assertTrue(place != null && place.path("remoteHops").asInt() == 5 && place.path("between").asDouble() > 0, String.valueOf(place));

        // Each worker's CPU is sampled every second: one the push started a moment ago may not be sampled yet.
        JsonNode cpu = audit.path("cpu");
        for (long until = System.nanoTime() + 5_000_000_000L; cpu.path("services").size() < audit.path("services").size() && System.nanoTime() < until; ) {
            Thread.sleep(200);
            cpu = admin("GET", "/apps/faults/audit").json().path("cpu");
        }
        assertEquals(audit.path("services").size(), cpu.path("services").size(), "each worker's CPU is measured: " + cpu);
        assertTrue(cpu.path("host").asDouble() > 0 && cpu.path("cores").asInt() >= 1, cpu.toString());

        String printed = Commands.run(platform.dataDir(), "", "audit", "faults");
        assertTrue(printed.contains("utility-service  formatting:") && printed.contains("BETWEEN"), printed);
        assertTrue(printed.contains("CPU over the traffic read") && printed.contains("CORES"), printed);
    }

    @Test
    @Order(2)
    void aCleanAppGetsNoFinding() {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, http.post("/fn/greet.hello", "\"Ada\"").status());
        }
        JsonNode audit = admin("GET", "/apps/tidy/audit").json();
        assertEquals(List.of(), new ArrayList<>(findings(audit).keySet()), audit.toString());
        JsonNode greetings = service(audit, "greetings");
        assertEquals("yes", answer(greetings, "one team?").path("answer").asText());
        assertEquals("yes", answer(greetings, "complete business capability?").path("answer").asText());
    }

    @Test
    @Order(2)
    void aBadQueryAnUnknownAppAndAPlanOfADirectoryAreRefusedByName() {
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("GET /apps/faults/plan?step=3", "400 no parameter 'step' — use steps, by-owner, max-functions, since");
        refused.put("GET /apps/faults/plan?by-owner=yes", "400 by-owner 'yes' is neither true nor false");
        refused.put("GET /apps/faults/plan?max-functions=-1", "400 max-functions '-1' is not a count — give a whole number, 0 or more");
        refused.put("GET /apps/faults/audit?since=yesterday", "400 since: 'yesterday' is neither an instant (2026-11-30T10:00:00Z) nor a duration (15m)");
        refused.put("GET /apps/faults/audit?since=0s", "400 since: '0s': a duration of zero is not allowed — give at least 1ms");
        refused.put("GET /apps/nothing/plan", "404 no app 'nothing' serves — ./nanolith apps lists them");
        refused.put("POST /apps/faults/plan?steps=0", "400 steps=0 applies nothing — give 1 or more, or leave it out for every step");
        refused.put("POST /apps/tidy/plan", "409 'tidy' is served from a directory: a plan is applied as a new revision of a pushed app — create the"
                + " app and git push it");
        refused.put("PUT /apps/faults/plan", "405 PUT /admin/apps/faults/plan is not served — use GET, POST");
        refused.forEach((request, expected) -> {
            Http.Response r = admin(request.substring(0, request.indexOf(' ')), request.substring(request.indexOf(' ') + 1));
            assertEquals(expected, r.status() + " " + r.json().path("message").asText(), request);
        });
    }

    @Test
    @Order(3)
    void aPlanIsAppliedAsARevisionKeptByTheNextPushWrittenToTheRepositoryAndRolledBack() {
        for (int i = 0; i < 5; i++) {
            assertEquals(200, http.post("/fn/orders.place", ORDER).status());
        }
        String plan = Commands.run(platform.dataDir(), "", "plan", "faults");
        assertTrue(plan.contains(". merge into orders") && plan.contains("callers: [orders.place]") && plan.contains("  orders: [formatting.format-amount,"
                + " ledger.record, mail.send, orders.place, orders.total, stock.reserve]"), plan);
        assertTrue(plan.matches("(?s).*orders\\.place +\\d+ +[0-9.]+ +5 +[0-9.]+ +0\n.*"), plan);

        String applied = Commands.run(platform.dataDir(), "", "plan", "faults", "--apply");
        assertTrue(applied.contains("deployed faults r2") && applied.contains("placement written to the branch nanolith/plan"), applied);
        assertEquals(List.of("orders"), platform.serving("faults").orElseThrow().services());
        String revisions = Commands.run(platform.dataDir(), "", "revisions", "faults");
        assertTrue(revisions.contains("plan ") && revisions.contains("from the traffic of r1"), revisions);
        assertEquals(200, http.post("/fn/orders.place", ORDER).status());

        GitClient git = new GitClient(faults);
        git.ok("fetch", "-q", "origin", "nanolith/plan");
        String proposed = git.ok("show", "FETCH_HEAD:nanolith.yaml");
        assertTrue(proposed.startsWith("app: faults\n# Placed by Nanolith as r2") && proposed.contains("services:\n"
                + "  # orders merges services of money-team, platform-team, shop-team: set owner: on it, or on each function\n"
                + "  orders: [formatting.format-amount, ledger.record, mail.send, orders.place, orders.total, stock.reserve]\naccess: public\n"), proposed);

        GitClient.Result again = Pushes.push(platform, faults, "faults");
        assertTrue(again.ok() && again.output().contains("placed as r2 was") && again.output().contains("deployed faults r3"), again.output());
        assertEquals(List.of("orders"), platform.serving("faults").orElseThrow().services());

        Commands.run(platform.dataDir(), "", "rollback", "faults", "r1");
        assertEquals(5, platform.serving("faults").orElseThrow().services().size());
    }

    @Test
    @Order(4)
    void aLibraryFunctionRunsWithEachCallerBehindNoHop() {
        faults(faults, FAULTS_YAML + "functions:\n  formatting.format-amount:\n    library: true\n").write();
        GitClient.Result pushed = Pushes.push(platform, faults, "faults");
        assertTrue(pushed.ok(), pushed.output());
        assertFalse(pushed.output().contains("utility-service"), pushed.output());
        assertEquals(200, http.post("/fn/orders.place", ORDER).status());
        JsonNode records = admin("GET", "/activations?app=faults&function=formatting.format-amount&limit=2").json();
        List<String> services = new ArrayList<>();
        records.path("activations").forEach(a -> services.add(a.path("service").asText() + " " + a.path("remote").asBoolean()));
        assertEquals(List.of("ledger false", "orders false"), services.stream().sorted().toList(), records.toString());
        assertFalse(findings(admin("GET", "/apps/faults/audit").json()).containsKey("utility-service formatting"));

        // A library function's copy calls on into other processes under its own name: the callee's process accepts it from there.
        faults(faults, FAULTS_YAML + "functions:\n  ledger.record:\n    library: true\n").write();
        assertTrue(Pushes.push(platform, faults, "faults").ok());
        Http.Response placed = http.post("/fn/orders.place", ORDER);
        assertEquals(200, placed.status(), placed.body());
        JsonNode formatted = admin("GET", "/activations?app=faults&function=formatting.format-amount&limit=2").json();
        List<String> callers = new ArrayList<>();
        formatted.path("activations").forEach(a -> callers.add(a.path("caller").asText() + " " + a.path("service").asText() + " " + a.path("remote").asBoolean()));
        assertEquals(List.of("ledger.record formatting true", "orders.place formatting true"), callers.stream().sorted().toList(), formatted.toString());
    }

    @Test
    @Order(5)
    void enforcedGuidelinesRefuseAPushNamingTheConfig() throws Exception {
        try (Platform strict = Platform.start(Platform.Options.loopback(0).withData(tmp.resolve("strict")).placed(Placement.Mode.SERVICES)
                .with(Map.of("NANOLITH_GUIDELINES", "enforce", "NANOLITH_MAX_DEPENDENCIES", "2")))) {
            Path copy = faults(tmp.resolve("strict-faults"), FAULTS_YAML).write();
            GitClient.Result refused = Pushes.push(strict, copy, "faults");
            assertFalse(refused.ok(), refused.output());
            List<String> fix = Pushes.fixLines(refused.output()).stream().map(String::strip).toList();
            assertTrue(fix.contains("nanolith.yaml:2: the sizing guidelines are enforced (NANOLITH_GUIDELINES=enforce): many-dependencies"
                    + " orders.place: its code calls into 4 services besides its own: formatting, ledger, mail, stock (at most 2) — place the"
                    + " services it depends on with 'orders.place', or make them library functions"), String.join("\n", fix));
        }
        IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Platform.start(
                Platform.Options.loopback(0).withData(tmp.resolve("bad")).with(Map.of("NANOLITH_GUIDELINES", "strict"))));
        assertEquals("NANOLITH_GUIDELINES: 'strict' is not known — use off, warn or enforce", bad.getMessage());
    }

    @Test
    @Order(6)
    void anAuditReadsOnlyTheTrafficOfThePlacementThatServes() throws Exception {
        Path data = tmp.resolve("replaced");
        try (Platform nano = Platform.start(Platform.Options.loopback(0).withData(data).placed(Placement.Mode.NANO))) {
            nano.deploy(tmp.resolve("tidy"));
            for (int i = 0; i < 3; i++) {
                assertEquals(200, new Http(nano.url()).post("/fn/greet.hello", "\"Ada\"").status());
            }
            JsonNode audit = admin(nano, "/apps/tidy/audit");
            assertEquals("r1", audit.path("revision").asText());
            JsonNode hello = operation(audit, "greet.hello");
            assertEquals(3, hello.path("traces").asInt(), hello.toString());
            assertEquals(1, hello.path("remoteHops").asInt(), "greet.name in a process of its own: " + hello);
        }
        // The same revision served again, all in one process: the traffic of the other placement is not this one's.
        try (Platform one = Platform.start(Platform.Options.loopback(0).withData(data).placed(Placement.Mode.MONOLITH))) {
            one.deploy(tmp.resolve("tidy"));
            assertEquals(200, new Http(one.url()).post("/fn/greet.hello", "\"Ada\"").status());
            JsonNode audit = admin(one, "/apps/tidy/audit");
            assertEquals("r1", audit.path("revision").asText(), "the same revision as before, served again");
            JsonNode hello = operation(audit, "greet.hello");
            assertEquals(1, hello.path("traces").asInt(), hello.toString());
            assertEquals(0, hello.path("remoteHops").asInt(), hello.toString());
        }
    }

    private static JsonNode admin(Platform on, String path) {
        Http.Response r = new Http(on.url()).send(HttpRequest.newBuilder(URI.create(on.url() + "/admin" + path))
                .header("Authorization", "Bearer " + on.adminToken()).GET());
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private static JsonNode operation(JsonNode audit, String entry) {
        for (JsonNode op : audit.path("operations")) {
            if (op.path("entry").asText().equals(entry)) {
                return op;
            }
        }
        throw new AssertionError("no operation " + entry + " in " + audit);
    }

    private static Map<String, JsonNode> findings(JsonNode audit) {
        Map<String, JsonNode> found = new java.util.TreeMap<>();
        audit.path("findings").forEach(f -> found.put(f.path("kind").asText() + " " + f.path("subject").asText(), f));
        return found;
    }

    private static JsonNode service(JsonNode audit, String name) {
        for (JsonNode s : audit.path("services")) {
            if (s.path("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no service " + name + " in " + audit);
    }

    private static JsonNode answer(JsonNode service, String question) {
        for (JsonNode a : service.path("checklist")) {
            if (a.path("question").asText().equals(question)) {
                return a;
            }
        }
        throw new AssertionError("no question " + question + " in " + service);
    }

    private static Http.Response admin(String method, String path) {
        return http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/admin" + path))
                .header("Authorization", "Bearer " + platform.adminToken()).method(method, HttpRequest.BodyPublishers.noBody()));
    }
}
