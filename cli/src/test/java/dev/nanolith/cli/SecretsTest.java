package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nanolith.deploy.Secrets;
import dev.nanolith.runtime.placement.Placement;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets set with the real command line and the admin API, kept encrypted in the data directory,
 * given only to the worker whose functions declare them, changed in running workers without a
 * push, and never shown: not in logs, answers, push output, {@code GET /fn}, metrics, files or
 * the workers' command lines and environments.
 */
class SecretsTest {

    @TempDir
    static Path tmp;

    static Platform platform;
    static Http http;
    static LogCapture log;
    static String pushOutput;
    /** Every value a test set: none may show anywhere. */
    static final List<String> VALUES = new CopyOnWriteArrayList<>();
    static final String FROM_SETTINGS = "settings-value-" + UUID.randomUUID();

    @BeforeAll
    static void start() {
        log = LogCapture.of("");
        VALUES.add(FROM_SETTINGS);
        platform = Platform.start(Platform.Options.loopback(0).withData(tmp.resolve("data")).placed(Placement.Mode.SERVICES)
                .with(Map.of("FROM_SETTINGS", FROM_SETTINGS)));
        http = new Http(platform.url());
        // Set before the app exists: its first push needs it.
        setWithTheCommandLine("API_TOKEN", fresh());
        Path app = TestApp.in(tmp.resolve("vault")).yaml("""
                        app: vault
                        access: public
                        functions:
                          keeper.digest:
                            secrets: [API_TOKEN, FROM_SETTINGS]
                        services:
                          keeper: [keeper.*]
                          other: [other.*]
                        """)
                .source("keeper/Digest.java", """
                        package keeper;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;
                        import java.nio.charset.StandardCharsets;
                        import java.security.MessageDigest;
                        import java.security.NoSuchAlgorithmException;
                        import java.util.HexFormat;

                        /** Answers the SHA-256 of the secret its input names, never the secret. */
                        public class Digest implements Nano<String, String> {
                            public String apply(String name, Ctx ctx) {
                                try {
                                    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                                            .digest(ctx.secret(name).getBytes(StandardCharsets.UTF_8)));
                                } catch (NoSuchAlgorithmException e) {
                                    throw new IllegalStateException(e);
                                }
                            }
                        }
                        """)
                .source("keeper/Peek.java", peek("keeper"))
                .source("other/Peek.java", peek("other"))
                .write();
        GitClient.Result push = Pushes.push(platform, app, "vault");
        assertTrue(push.ok(), push.output());
        pushOutput = push.output();
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
        log.close();
    }

    /**
     * A function that reaches, by reflection, past its context into its own process's secrets and
     * answers their names: what hostile code in that process could see.
     */
    static String peek(String pkg) {
        return """
                package %s;

                import dev.nanolith.Ctx;
                import dev.nanolith.Nano;
                import java.lang.reflect.Method;
                import java.util.Map;
                import java.util.TreeSet;

                /** Names the secrets its process holds, whoever declared them. */
                public class Peek implements Nano<String, String> {
                    public String apply(String input, Ctx ctx) {
                        try {
                            Object route = call(ctx, "route");
                            Object revision = call(route, "revision");
                            return new TreeSet<>(((Map<?, ?>) call(revision, "secrets")).keySet()).toString();
                        } catch (ReflectiveOperationException e) {
                            return e.toString();
                        }
                    }

                    private static Object call(Object target, String name) throws ReflectiveOperationException {
                        Method method = target.getClass().getMethod(name);
                        method.setAccessible(true);
                        return method.invoke(target);
                    }
                }
                """.formatted(pkg);
    }

    /** A value no test used before, remembered for the search for leaks. */
    static String fresh() {
        String value = "s3cr3t-" + UUID.randomUUID();
        VALUES.add(value);
        return value;
    }

    static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The SHA-256 of the secret {@code name} as keeper.digest reads it now. */
    static String digest(String name) {
        Http.Response r = http.post("/fn/keeper.digest", "\"" + name + "\"");
        assertEquals(200, r.status(), r.body());
        return r.json().asText();
    }

    /** Runs {@code ./nanolith ARGS --data DIR} in this process with {@code stdin}; what it printed, and it must succeed. */
    static String nanolith(String stdin, String... args) {
        return Commands.run(platform.dataDir(), stdin, args);
    }

    /** {@code echo VALUE | ./nanolith secrets set vault NAME}: what it printed. */
    static String setWithTheCommandLine(String name, String value) {
        return nanolith(value + "\n", "secrets", "set", "vault", name);
    }

    /** An admin API request with the admin token. */
    static Http.Response admin(String method, String path, HttpRequest.BodyPublisher body) {
        return http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/admin" + path))
                .header("Authorization", "Bearer " + platform.adminToken()).method(method, body));
    }

    @Test
    void onlyTheWorkerThatHostsAFunctionDeclaringASecretHoldsIt() {
        assertEquals("[API_TOKEN, FROM_SETTINGS]", http.post("/fn/keeper.peek", "\"\"").json().asText());
        assertEquals("[]", http.post("/fn/other.peek", "\"\"").json().asText());
    }

    @Test
    void aNewValueReachesTheRunningWorkerBeforeTheCommandEndsWithoutAPushOrARestart() throws Exception {
        long pid = platform.servicePids().get("keeper");
        String value = fresh();
        assertEquals("Set secret API_TOKEN of 'vault'; 1 running worker has the new value.\n", setWithTheCommandLine("API_TOKEN", value));
        assertEquals(sha256(value), digest("API_TOKEN"), "the trailing newline of standard input is dropped, the rest is the value");
        assertEquals(pid, platform.servicePids().get("keeper"), "the same worker serves");
    }

    @Test
    void aRemovedSecretFailsOnlyTheCallsThatReadItUntilItIsSetAgain() throws Exception {
        assertEquals("Removed secret API_TOKEN of 'vault'; 1 running worker no longer has it.\n",
                nanolith("", "secrets", "remove", "vault", "API_TOKEN"));
        Http.Response r = http.post("/fn/keeper.digest", "\"API_TOKEN\"");
        assertEquals(500, r.status(), r.body());
        assertTrue(log.lineAfter("'keeper.digest' failed, error id " + r.json().path("errorId").asText())
                .endsWith("the secret API_TOKEN of 'keeper.digest' is not set — ./nanolith secrets set vault API_TOKEN sets it"));
        assertEquals(sha256(FROM_SETTINGS), digest("FROM_SETTINGS"));
        String value = fresh();
        setWithTheCommandLine("API_TOKEN", value);
        assertEquals(sha256(value), digest("API_TOKEN"));
    }

    @Test
    void aPlatformStartedAgainServesTheAppWhoseSecretWasRemovedAndOnlyTheCallsThatReadItFail() throws Exception {
        nanolith("", "secrets", "remove", "vault", "API_TOKEN");
        platform.close();
        platform = Platform.start(Platform.Options.loopback(0).withData(tmp.resolve("data")).placed(Placement.Mode.SERVICES)
                .with(Map.of("FROM_SETTINGS", FROM_SETTINGS)));
        http = new Http(platform.url());
        assertEquals(500, http.post("/fn/keeper.digest", "\"API_TOKEN\"").status());
        assertEquals(sha256(FROM_SETTINGS), digest("FROM_SETTINGS"));
        String value = fresh();
        assertEquals("Set secret API_TOKEN of 'vault'; 1 running worker has the new value.\n", setWithTheCommandLine("API_TOKEN", value));
        assertEquals(sha256(value), digest("API_TOKEN"));
    }

    @Test
    void aWorkerStartedAgainHasTheValueSetLast() throws Exception {
        String value = fresh();
        setWithTheCommandLine("API_TOKEN", value);
        long pid = platform.servicePids().get("keeper");
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        for (int i = 0; i < 600 && (platform.servicePids().get("keeper") == null || platform.servicePids().get("keeper") == pid); i++) {
            Thread.sleep(50);
        }
        assertNotEquals(pid, platform.servicePids().get("keeper"), "the worker was not started again");
        assertEquals(sha256(value), digest("API_TOKEN"));
    }

    @Test
    void aSecretOfTheStoreGoesBeforeThePlatformsSettingOfTheSameName() throws Exception {
        assertEquals(sha256(FROM_SETTINGS), digest("FROM_SETTINGS"));
        String value = fresh();
        assertEquals(200, admin("PUT", "/apps/vault/secrets/FROM_SETTINGS", HttpRequest.BodyPublishers.ofString(value)).status());
        assertEquals(sha256(value), digest("FROM_SETTINGS"), "the admin API takes the body as it is");
        assertEquals(200, admin("DELETE", "/apps/vault/secrets/FROM_SETTINGS", HttpRequest.BodyPublishers.noBody()).status());
        assertEquals(sha256(FROM_SETTINGS), digest("FROM_SETTINGS"));
    }

    @Test
    void secretsAreKeptEncryptedWithAKeyOutsideTheirFileAndListedByNameOnly() throws Exception {
        String listed = nanolith("", "secrets", "list", "vault");
        assertTrue(listed.startsWith("API_TOKEN"), listed);
        Http.Response list = admin("GET", "/apps/vault/secrets", HttpRequest.BodyPublishers.noBody());
        Set<String> fields = new TreeSet<>();
        list.json().get(0).fieldNames().forEachRemaining(fields::add);
        assertEquals(Set.of("name", "updated"), fields);
        Path data = platform.dataDir();
        String kept = Files.readString(data.resolve("secrets.json"));
        assertTrue(kept.contains("\"API_TOKEN\""), kept);
        String key = Files.readString(data.resolve("secrets.key")).strip();
        assertFalse(kept.contains(key), "the key is in the file it opens");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("secrets.key"))));
        // The same file under another key does not open, and says so at the start.
        Path elsewhere = Files.createDirectories(tmp.resolve("restored"));
        Files.copy(data.resolve("secrets.json"), elsewhere.resolve("secrets.json"));
        Files.writeString(elsewhere.resolve("secrets.key"), key.replace(key.charAt(0), key.charAt(0) == 'A' ? 'B' : 'A') + "\n");
        IllegalStateException wrong = assertThrows(IllegalStateException.class, () -> new Secrets(elsewhere, name -> null, Clock.systemUTC()));
        assertTrue(wrong.getMessage().matches("the secret API_TOKEN of 'vault' in .*secrets.json does not open with the key in .*secrets.key"
                + " — the key was replaced or the file altered; restore them, or set the secret again"), wrong.getMessage());
        Files.writeString(elsewhere.resolve("secrets.key"), Base64.getEncoder().encodeToString(new byte[16]));
        IllegalStateException aes128 = assertThrows(IllegalStateException.class, () -> new Secrets(elsewhere, name -> null, Clock.systemUTC()));
        assertEquals(elsewhere.resolve("secrets.key") + " is not a key for the secrets: a key is 32 random bytes in base64, as"
                + " head -c 32 /dev/urandom | base64 makes — restore the key the secrets were sealed with", aes128.getMessage());
        Files.delete(elsewhere.resolve("secrets.key"));
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> new Secrets(elsewhere, name -> null, Clock.systemUTC()));
        assertTrue(missing.getMessage().endsWith("secrets.key is missing — restore it; without it they cannot be read"), missing.getMessage());
        Files.writeString(elsewhere.resolve("secrets.json"), "{\"vault\": {\"API_TOKEN\": {\"nonce\": \"AAAA\"}}}");
        Files.writeString(elsewhere.resolve("secrets.key"), key + "\n");
        IllegalStateException incomplete = assertThrows(IllegalStateException.class, () -> new Secrets(elsewhere, name -> null, Clock.systemUTC()));
        assertEquals(elsewhere.resolve("secrets.json") + ": the secret API_TOKEN of 'vault' is incomplete — restore the file from a backup,"
                + " or remove its entry and set the secret again", incomplete.getMessage());
    }

    @Test
    void aSecretTheStoreDoesNotHoldComesFromTheSettingsButNeverOneOfThePlatformsOwn() throws Exception {
        Secrets none = new Secrets(Files.createDirectories(tmp.resolve("no-secrets")), name -> name.equals(Secrets.KEY_FILE) ? null
                : "from the host", Clock.systemUTC());
        assertEquals(Map.of("PSP_API_KEY", "from the host"), none.values("vault", List.of("PSP_API_KEY", "NANOLITH_SECRETS_KEY_FILE")));
    }

    @Test
    void badRequestsAreRefusedWithAMessageThatNeverEchoesTheValue() {
        String value = fresh();
        assertRefused(admin("PUT", "/apps/vault/secrets/API-TOKEN", HttpRequest.BodyPublishers.ofString(value)), 400,
                "secret name 'API-TOKEN' is not valid — use ASCII letters, digits and _, not starting with a digit, at most 128");
        assertRefused(admin("PUT", "/apps/Vault/secrets/API_TOKEN", HttpRequest.BodyPublishers.ofString(value)), 400,
                "'Vault' is not a valid app name — use lower-case letters, digits and dashes, starting with a letter, at most 63");
        assertRefused(admin("GET", "/apps/Vault/secrets", HttpRequest.BodyPublishers.noBody()), 400,
                "'Vault' is not a valid app name — use lower-case letters, digits and dashes, starting with a letter, at most 63");
        assertRefused(admin("PUT", "/apps/vault/secrets/API_TOKEN", HttpRequest.BodyPublishers.ofString(value.repeat(2000))), 413,
                "the value of a secret may take at most 65536 bytes");
        assertRefused(admin("PUT", "/apps/vault/secrets/API_TOKEN", HttpRequest.BodyPublishers.ofByteArray(new byte[] {'a', (byte) 0xC3})),
                400, "the value of a secret must be UTF-8 text");
        assertRefused(admin("PUT", "/apps/vault/secrets/API_TOKEN", HttpRequest.BodyPublishers.noBody()), 400,
                "the value of a secret cannot be empty — remove the secret instead");
        Http.Response missing = admin("DELETE", "/apps/vault/secrets/NEVER_SET", HttpRequest.BodyPublishers.noBody());
        assertRefused(missing, 404, "no secret NEVER_SET of 'vault' — ./nanolith secrets list vault shows them");
        assertEquals("not-found", missing.json().path("error").asText());
        Http.Response post = admin("POST", "/apps/vault/secrets/API_TOKEN", HttpRequest.BodyPublishers.ofString(value));
        assertRefused(post, 405, "POST /admin/apps/vault/secrets/API_TOKEN is not served — use PUT, DELETE");
        assertEquals("PUT, DELETE", post.allow());
        Http.Response anonymous = http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps/vault/secrets/API_TOKEN"))
                .PUT(HttpRequest.BodyPublishers.ofString(value)));
        assertEquals(401, anonymous.status(), anonymous.body());
    }

    @Test
    void theCommandLineRefusesNamesThatAreNotValidAndValuesThatAreNotText() {
        Commands.Result traversal = Commands.run(platform.dataDir(), new byte[0], "secrets", "remove", "vault", "../../../keys/victim");
        assertEquals(1, traversal.status());
        assertEquals("nanolith: secret name '../../../keys/victim' is not valid — use ASCII letters, digits and _, not starting with a digit,"
                + " at most 128\n", traversal.err());
        Commands.Result binary = Commands.run(platform.dataDir(), new byte[] {'k', (byte) 0xFF, 0}, "secrets", "set", "vault", "API_TOKEN");
        assertEquals(1, binary.status());
        assertEquals("nanolith: the value on standard input is not UTF-8 text — a secret is text: give a binary one encoded, as base64 -w0"
                + " does\n", binary.err());
    }

    static void assertRefused(Http.Response r, int status, String message) {
        assertEquals(status, r.status(), r.body());
        assertEquals(message, r.json().path("message").asText(), r.body());
    }

    @Test
    void noValueShowsInLogsAnswersPushOutputFunctionListMetricsFilesOrWorkerProcesses() throws Exception {
        String value = fresh();
        setWithTheCommandLine("API_TOKEN", value);
        assertEquals(sha256(value), digest("API_TOKEN"));
        List<String> seen = new ArrayList<>();
        seen.add(pushOutput);
        seen.add(http.get("/fn").body());
        seen.add(http.get("/fn/keeper.digest").body());
        seen.add(http.get("/metrics").body());
        seen.add(http.post("/fn/keeper.digest", "{not json").body());
        seen.add(http.post("/fn/keeper.digest", "\"NOT_DECLARED\"").body());
        seen.add(nanolith("", "secrets", "list", "vault"));
        log.records.stream().map(LogRecord::getMessage).forEach(seen::add);
        log.records.stream().map(LogRecord::getThrown).filter(t -> t != null).map(Throwable::toString).forEach(seen::add);
        try (Stream<Path> files = Files.walk(platform.dataDir())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                seen.add(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        }
        int processes = 0;
        for (long pid : platform.servicePids().values()) {
            for (ProcessHandle process : Stream.concat(ProcessHandle.of(pid).stream(), ProcessHandle.of(pid).orElseThrow().descendants()).toList()) {
                for (String part : List.of("cmdline", "environ")) {
                    try {
                        seen.add(new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), part)), StandardCharsets.ISO_8859_1));
                        processes++;
                    } catch (IOException e) {
                        // a process of the sandbox that this user may not read
                    }
                }
            }
        }
        assertTrue(processes >= 2, "no worker process could be read");
        for (String text : seen) {
            for (String secret : VALUES) {
                assertFalse(text.contains(secret), () -> "a secret shows in: " + text.substring(0, Math.min(text.length(), 300)));
            }
        }
    }
}
