package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nanolith.runtime.load.LoadException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** git push to main is a deploy: driven with the real git client against the real server. */
class GitDeployTest {

    static final String GREETER = """
            package hello;

            import dev.nanolith.Ctx;
            import dev.nanolith.Nano;

            /** Greets someone. */
            public final class Greet implements Nano<String, String> {
                @Override
                public String apply(String name, Ctx ctx) {
                    return "%s, " + name + "!";
                }
            }
            """;

    static final String GREETER_TEST = """
            package hello;

            import static org.junit.jupiter.api.Assertions.assertEquals;

            import dev.nanolith.Functions;
            import org.junit.jupiter.api.Test;

            class GreetTest {
                @Test
                void greets(Functions functions) {
                    assertEquals("%s, Ada!", functions.call(Greet.class, "Ada"));
                }
            }
            """;

    @TempDir
    Path tmp;
    Platform platform;
    Http http;
    Path work;
    GitClient git;
    String token;

    @BeforeEach
    void start() {
        platform = Platform.start(Platform.Options.loopback(0).withData(tmp.resolve("data")));
        http = new Http(platform.url());
        token = createApp("hello").path("token").asText();
        work = tmp.resolve("hello");
        git = new GitClient(tmp);
        git.ok("clone", "-q", remote("hello", token), work.toString());
        git = new GitClient(work);
    }

    @AfterEach
    void stop() {
        platform.close();
    }

    JsonNode createApp(String name) {
        Http.Response r = admin(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")));
        assertEquals(201, r.status(), r.body());
        return r.json();
    }

    Http.Response admin(HttpRequest.Builder request) {
        return http.send(request.header("Authorization", "Bearer " + platform.adminToken()).header("Content-Type", "application/json"));
    }

    String remote(String app, String token) {
        return platform.url().replace("://", "://deploy:" + token + "@") + "/git/" + app + ".git";
    }

    void write(String greeting, String expectedInTest) throws Exception {
        Files.createDirectories(work.resolve("src/main/java/hello"));
        Files.createDirectories(work.resolve("src/test/java/hello"));
        Files.writeString(work.resolve("nanolith.yaml"), "app: hello\naccess: public\n");
        Files.writeString(work.resolve("src/main/java/hello/Greet.java"), GREETER.formatted(greeting));
        Files.writeString(work.resolve("src/test/java/hello/GreetTest.java"), GREETER_TEST.formatted(expectedInTest));
    }

    String greet() {
        return http.post("/fn/hello.greet", "\"Ada\"").body();
    }

    String remoteMain() {
        return git.ok("ls-remote", "origin", "refs/heads/main").split("\\s")[0];
    }

    @Test
    void aPushToMainIsLiveInOneStepWithItsRevisionRecorded() throws Exception {
        write("Hello", "Hello");
        GitClient.Result push = git.commitAndPush("First greeting");
        assertTrue(push.ok(), push.output());
        assertTrue(push.output().contains("remote: deployed hello r1 ("), push.output());
        assertTrue(push.output().contains("new      POST " + platform.url() + "/fn/hello.greet"), push.output());
        assertTrue(push.output().contains("1 passed"), push.output());
        assertEquals("\"Hello, Ada!\"", greet());

        write("Howdy", "Howdy");
        GitClient.Result second = git.commitAndPush("Friendlier");
        assertTrue(second.output().contains("remote: deployed hello r2 ("), second.output());
        assertTrue(second.output().contains("changed  POST " + platform.url() + "/fn/hello.greet"), second.output());
        assertEquals("\"Howdy, Ada!\"", greet());

        JsonNode revisions = admin(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps/hello/revisions")).GET()).json();
        assertEquals(2, revisions.size());
        JsonNode r2 = revisions.get(1);
        assertEquals("r2", r2.path("id").asText());
        assertEquals(git.ok("rev-parse", "HEAD").strip(), r2.path("commit").asText());
        assertEquals("Ada Lovelace <ada@example.com>", r2.path("author").asText());
        assertEquals("Friendlier", r2.path("message").asText());
        assertTrue(r2.path("current").asBoolean());
        for (String stage : new String[] {"checkout", "compile", "test", "warm", "switch"}) {
            assertTrue(r2.path("stagesMillis").has(stage), r2.toString());
        }
    }

    @Test
    void aSecondPlatformOnTheSameDataDirectoryIsRefusedNamingTheFirst() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Platform.start(Platform.Options.loopback(0).withData(tmp.resolve("data"))));
        assertEquals("the data directory " + tmp.resolve("data") + " is in use by the platform with pid " + ProcessHandle.current().pid()
                + " on " + platform.url() + " — stop that one, or give this one another --data", e.getMessage());
        assertEquals(200, http.get("/health").status());
    }

    @Test
    void anAppFromADirectoryAndAPushedAppCannotShareAName() throws Exception {
        write("Hello", "Hello");
        assertTrue(git.commitAndPush("First").ok());
        Path same = TestApp.in(tmp.resolve("same")).yaml("app: hello\n").source("other/Greet.java", GREETER.replace("package hello;", "package other;")
                .formatted("Other")).write();
        LoadException clash = assertThrows(LoadException.class, () -> platform.deploy(same));
        assertTrue(clash.getMessage().startsWith("nanolith.yaml: app 'hello' is pushed to this platform already"), clash.getMessage());
        assertEquals("\"Hello, Ada!\"", greet());

        Path local = TestApp.in(tmp.resolve("local")).yaml("app: local\n").source("local/Greet.java", GREETER.replace("package hello;", "package local;")
                .formatted("Local")).write();
        platform.deploy(local);
        Http.Response taken = admin(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"local\"}")));
        assertEquals(409, taken.status(), taken.body());
        assertTrue(taken.json().path("message").asText().startsWith("an app named 'local' is served from a directory by this platform"), taken.body());
    }

    @Test
    void aPushThatDoesNotCompileIsRejectedAndProductionKeepsServing() throws Exception {
        write("Hello", "Hello");
        assertTrue(git.commitAndPush("First").ok());
        String served = remoteMain();
        Files.writeString(work.resolve("src/main/java/hello/Greet.java"), GREETER.formatted("Hi").replace("return", "retrun"));
        GitClient.Result push = git.commitAndPush("Broken");
        assertFalse(push.ok());
        assertTrue(push.output().contains("remote:   src/main/java/hello/Greet.java:10: "), push.output());
        assertTrue(push.output().contains("! [remote rejected] main -> main (deploy check failed)"), push.output());
        assertTrue(push.output().contains("production still serves r1"), push.output());
        assertEquals(served, remoteMain());
        assertEquals("\"Hello, Ada!\"", greet());
    }

    @Test
    void aPushWithABadNanolithYamlIsRejectedWithItsLine() throws Exception {
        write("Hello", "Hello");
        assertTrue(git.commitAndPush("First").ok());
        Files.writeString(work.resolve("nanolith.yaml"), "app: hello\nfunctions:\n  hello.greet:\n    timeout: fast\n");
        GitClient.Result push = git.commitAndPush("Bad config");
        assertFalse(push.ok());
        assertTrue(push.output().contains("remote:   nanolith.yaml:4: functions.hello.greet.timeout: 'fast' is not a duration"), push.output());
        assertEquals("\"Hello, Ada!\"", greet());
    }

    @Test
    void aPushWhoseOwnTestsFailIsRejectedNamingTheTest() throws Exception {
        write("Hello", "Hello");
        assertTrue(git.commitAndPush("First").ok());
        write("Hi", "Hello");
        GitClient.Result push = git.commitAndPush("Test not updated");
        assertFalse(push.ok());
        assertTrue(push.output().contains("remote:   src/test/java/hello/GreetTest.java:11: greets(Functions) failed: expected: <Hello, Ada!> but was: <Hi, Ada!>"),
                push.output());
        assertEquals("\"Hello, Ada!\"", greet());
    }

    @Test
    void pushesWithoutOrWithAWrongTokenAreRefused() throws Exception {
        write("Hello", "Hello");
        git.ok("add", "-A");
        git.ok("commit", "-q", "-m", "First");
        GitClient.Result anonymous = git.run("push", platform.url() + "/git/hello.git", "main");
        assertFalse(anonymous.ok());
        GitClient.Result wrong = git.run("push", remote("hello", "nl_wrong"), "main");
        assertFalse(wrong.ok());
        assertTrue(wrong.output().contains("remote error: the deploy token of 'hello' is wrong"), wrong.output());
        GitClient.Result unknown = git.run("push", remote("nobody", token), "main");
        assertFalse(unknown.ok());
        assertEquals(404, http.post("/fn/hello.greet", "\"Ada\"").status());
    }

    @Test
    void otherBranchesAreStoredButNotDeployed() throws Exception {
        write("Hello", "Hello");
        git.ok("checkout", "-q", "-b", "feature");
        git.ok("add", "-A");
        git.ok("commit", "-q", "-m", "On a branch");
        GitClient.Result push = git.run("push", "origin", "feature");
        assertTrue(push.ok(), push.output());
        assertTrue(push.output().contains("remote: nanolith: feature is stored, not deployed — only main deploys"), push.output());
        assertEquals(404, http.post("/fn/hello.greet", "\"Ada\"").status());
    }

    @Test
    void rollbackServesAnEarlierRevisionAndTheNextPushWorksAsUsual() throws Exception {
        write("Hello", "Hello");
        assertTrue(git.commitAndPush("r1").ok());
        write("Howdy", "Howdy");
        assertTrue(git.commitAndPush("r2").ok());
        Http.Response rolled = admin(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps/hello/rollback"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"revision\":\"r1\"}")));
        assertEquals(200, rolled.status(), rolled.body());
        assertEquals("\"Hello, Ada!\"", greet());
        assertEquals("r1", http.get("/health").json().path("apps").path("hello").path("revision").asText());

        write("Hey", "Hey");
        GitClient.Result push = git.commitAndPush("r3");
        assertTrue(push.ok(), push.output());
        assertEquals("\"Hey, Ada!\"", greet());
        assertEquals("r3", http.get("/health").json().path("apps").path("hello").path("revision").asText());

        Http.Response unknown = admin(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps/hello/rollback"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"revision\":\"r9\"}")));
        assertEquals(404, unknown.status(), unknown.body());
        assertEquals("not-found", unknown.json().path("error").asText());
    }

    @Test
    void aRestartedPlatformServesTheSameRevisions() throws Exception {
        write("Hello", "Hello");
        assertTrue(git.commitAndPush("r1").ok());
        write("Howdy", "Howdy");
        assertTrue(git.commitAndPush("r2").ok());
        admin(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps/hello/rollback"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"revision\":\"r1\"}")));
        platform.close();

        platform = Platform.start(Platform.Options.loopback(0).withData(tmp.resolve("data")));
        http = new Http(platform.url());
        assertEquals("\"Hello, Ada!\"", greet());
        assertEquals("r1", http.get("/health").json().path("apps").path("hello").path("revision").asText());
        git.ok("remote", "set-url", "origin", remote("hello", token));
        write("Hey", "Hey");
        assertTrue(git.commitAndPush("r3").ok());
        assertEquals("\"Hey, Ada!\"", greet());
    }

    @Test
    void theAdminApiNeedsTheAdminToken() {
        Http.Response r = http.get("/admin/apps");
        assertEquals(401, r.status());
        assertEquals("unauthorized", r.json().path("error").asText());
        Http.Response taken = admin(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"hello\"}")));
        assertEquals(409, taken.status());
        Http.Response invalid = admin(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Bad Name\"}")));
        assertEquals(400, invalid.status());
    }

    @Test
    void theAdminApiRefusesWhatItDoesNotTakeSayingWhat() {
        assertEquals(401, http.get("/admin/no-such-thing").status(), "without the token, not even whether a path exists");
        Http.Response deleted = admin(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps")).DELETE());
        assertEquals(405, deleted.status(), deleted.body());
        assertEquals("GET, POST", deleted.allow());
        Http.Response got = admin(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps/hello/rollback")).GET());
        assertEquals("405 GET /admin/apps/hello/rollback is not served — use POST", got.status() + " " + got.json().path("message").asText());
        Http.Response query = admin(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps?colour=red")).GET());
        assertEquals("400 no parameter 'colour' — this endpoint takes none", query.status() + " " + query.json().path("message").asText());
        for (String[] body : new String[][] {
                {"{\"name\":\"hello\",\"nmae\":\"x\"}", "400 bad-request no field 'nmae' — use name"},
                {"[\"hello\"]", "400 bad-request the body must be a JSON object, not array — use name"},
                {"{\"name\":\"hello\"} {\"name\":\"again\"}", "400 malformed-json malformed JSON at line 1, column 18: "},
                {"{\"name\":\"hello\",\"name\":\"again\"}", "400 malformed-json malformed JSON at line 1, column 17: field 'name' is given twice in one object — give it once"},
                {"{\"name\":", "400 malformed-json malformed JSON at line 1, column 9: "},
                {"{\"name\":\"" + "x".repeat(70_000) + "\"}", "413 payload-too-large the body takes more than 64 KiB"}}) {
            Http.Response r = admin(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps")).POST(HttpRequest.BodyPublishers.ofString(body[0])));
            String answer = r.status() + " " + r.json().path("error").asText() + " " + r.json().path("message").asText();
            assertTrue(answer.startsWith(body[1]), body[0] + " → " + answer);
        }
        Http.Response token = admin(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps/hello/token"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"app\":\"hello\"}")));
        assertEquals("400 no field 'app' — this endpoint takes no body, or {}", token.status() + " " + token.json().path("message").asText());
        assertEquals(201, admin(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps")).POST(HttpRequest.BodyPublishers.ofString(
                "{\"name\":\"kept\"}"))).status());
        for (String body : new String[] {"{}", "{\"revision\":1}"}) {
            Http.Response back = admin(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps/kept/rollback")).POST(HttpRequest.BodyPublishers.ofString(body)));
            assertEquals("400 give the revision to return to as {\"revision\": \"r1\"} — GET /admin/apps/kept/revisions lists them",
                    back.status() + " " + back.json().path("message").asText(), body);
        }
        assertEquals(200, admin(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps")).GET()).status(), "the API serves on");
    }
}
