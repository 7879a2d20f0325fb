package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.nanolith.gateway.Gateway;
import dev.nanolith.gateway.JwtAuthenticator;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.placement.Endpoint;
import dev.nanolith.runtime.placement.Placement;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may call a function through the gateway: its access (public, key, internal), API keys made,
 * listed and revoked with the real command line, JWTs of an identity provider whose key set is
 * served over HTTP, and the principal a credential gives every function of the operation, in the
 * gateway's worker and in another process.
 */
class AccessTest {

    @TempDir
    static Path tmp;

    static Platform platform;
    static LogCapture gatewayLog;
    /** The identity provider's signing key; its public half is served as a JSON Web Key Set. */
    static RSAKey provider;
    static HttpServer jwks;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        gatewayLog = LogCapture.of(Gateway.class.getName());
        Path app = TestApp.in(tmp.resolve("vault"))
                .yaml("""
                        app: vault
                        access: key
                        functions:
                          open.whoami:
                            access: public
                          open.relay:
                            access: public
                          open.limited:
                            access: public
                            rate-limit: 2/m
                          vault.inner:
                            access: internal
                            callers: [open.relay]
                          open.sneak:
                            access: public
                          vault.peek:
                            access: public
                        services:
                          open: [open.*]
                          vault: [vault.*]
                        """)
                .source("open/Whoami.java", whoami("open"))
                .source("vault/Whoami.java", whoami("vault"))
                .source("vault/Inner.java", whoami("vault").replace("Whoami", "Inner"))
                .source("open/Limited.java", whoami("open").replace("Whoami", "Limited"))
                .source("open/Sneak.java", inner("open", "Sneak"))
                .source("vault/Peek.java", inner("vault", "Peek"))
                .source("open/Relay.java", """
                        package open;

                        import dev.nanolith.Ctx;
                        import dev.nanolith.Nano;

                        /** Asks vault.inner, in the vault's process, whom the call is for. */
                        public class Relay implements Nano<String, String> {
                            public String apply(String input, Ctx ctx) {
                                return ctx.call("vault.inner", input, String.class);
                            }
                        }
                        """)
                .write();
        provider = new RSAKeyGenerator(2048).keyID("provider-1").generate();
        byte[] keySet = new JWKSet(provider.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        jwks.createContext("/jwks.json", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, keySet.length);
            exchange.getResponseBody().write(keySet);
            exchange.close();
        });
        jwks.start();
        platform = Platform.start(Platform.Options.loopback(0).placed(Placement.Mode.SERVICES).with(Map.of(
                JwtAuthenticator.JWKS, "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json",
                JwtAuthenticator.ISSUER, ISSUER, JwtAuthenticator.AUDIENCE, AUDIENCE)));
        platform.deploy(app);
    }

    static final String ISSUER = "https://login.example.com", AUDIENCE = "nanolith";

    /** A JWT for {@code subject} with {@code scope}, issued and expiring as given, signed with {@code key}. */
    static String jwt(RSAKey key, String subject, String scope, String issuer, Instant expires) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(subject).issuer(issuer).audience(AUDIENCE).claim("scope", scope)
                .issueTime(Date.from(Instant.now().minusSeconds(10))).expirationTime(Date.from(expires)).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    /** A function {@code pkg.NAME} that calls vault.inner, which does not list it among its callers. */
    static String inner(String pkg, String name) {
        return """
                package %s;

                import dev.nanolith.Ctx;
                import dev.nanolith.Nano;

                /** Asks vault.inner, which does not list it among its callers. */
                public class %s implements Nano<String, String> {
                    public String apply(String input, Ctx ctx) {
                        return ctx.call("vault.inner", input, String.class);
                    }
                }
                """.formatted(pkg, name);
    }

    /** A function that answers with the principal its call runs for. */
    static String whoami(String pkg) {
        return """
                package %s;

                import dev.nanolith.Ctx;
                import dev.nanolith.Nano;

                /** Says whom the call runs for. */
                public class Whoami implements Nano<String, String> {
                    public String apply(String input, Ctx ctx) {
                        return ctx.caller().principal();
                    }
                }
                """.formatted(pkg);
    }

    @AfterAll
    static void stop() {
        platform.close();
        jwks.stop(0);
        gatewayLog.close();
    }

    /** Calls a function with {@code key} as the bearer credential (null: none). */
    static HttpResponse<String> call(String function, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(platform.url() + "/fn/" + function))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("\"hi\""));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Runs {@code ./nanolith ARGS --data DIR} in this process; what it printed, and it must succeed. */
    static String nanolith(String... args) {
        return Commands.run(platform.dataDir(), "", args);
    }

    /** Makes a key with the command line and returns it, as printed once. */
    static String createKey(String name, String... more) {
        String printed = nanolith(Stream.concat(Stream.of("keys", "create", name), Arrays.stream(more)).toArray(String[]::new));
        Matcher key = Pattern.compile("\\(shown only now\\): (nl_\\S+)").matcher(printed);
        assertTrue(key.find(), printed);
        return key.group(1);
    }

    /** A refusal: its status, its {@code WWW-Authenticate} header and its whole body. */
    static void assertRefused(HttpResponse<String> r, int status, String challenge, String body) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(challenge, r.headers().firstValue("WWW-Authenticate").orElse(""));
        assertEquals(body, r.body());
    }

    @Test
    void aPublicFunctionAnswersAnyone() throws Exception {
        HttpResponse<String> r = call("open.whoami", null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("\"anonymous\"", r.body());
    }

    @Test
    void aKeyFunctionRefusesACallWithoutCredentialWith401() throws Exception {
        assertRefused(call("vault.whoami", null), 401, "Bearer realm=\"nanolith\"",
                "{\"error\":\"no-credential\",\"message\":\"'vault.whoami' needs a credential — send an API key as"
                        + " 'Authorization: Bearer KEY' (./nanolith keys create makes one)\"}");
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(platform.url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("nanolith_gateway_refused_total{function=\"vault.whoami\",reason=\"no-credential\"}"), metrics);
        assertTrue(gatewayLog.records.stream().map(LogRecord::getMessage).anyMatch(
                "refused a call of 'vault.whoami' to a caller without a valid credential: no-credential"::equals));
    }

    @Test
    void anUnknownKeyIsRefusedWithoutSayingWhichKeysExist() throws Exception {
        assertRefused(call("vault.whoami", "nl_not-a-key"), 401, "Bearer realm=\"nanolith\", error=\"invalid_token\"",
                "{\"error\":\"invalid-credential\",\"message\":\"the credential sent is not valid (unknown, revoked or expired)"
                        + " — send 'Authorization: Bearer KEY' with a valid key\"}");
    }

    @Test
    void aKeyCallsTheFunctionsItsScopesNameAndItsNameIsThePrincipalInEveryProcess() throws Exception {
        String key = createKey("reader", "--scopes", "vault.who*,open.*");
        HttpResponse<String> own = call("vault.whoami", key);
        assertEquals(200, own.statusCode(), own.body());
        assertEquals("\"reader\"", own.body());
        // open.relay (public) runs in the open worker and calls vault.inner in the vault worker: the principal travels.
        HttpResponse<String> relayed = call("open.relay", key);
        assertEquals(200, relayed.statusCode(), relayed.body());
        assertEquals("\"reader\"", relayed.body());
    }

    @Test
    void aKeyWhoseScopesDoNotNameTheFunctionIsRefusedWith403() throws Exception {
        String key = createKey("opener", "--scopes", "open.*");
        assertRefused(call("vault.whoami", key), 403, "Bearer realm=\"nanolith\", error=\"insufficient_scope\"",
                "{\"error\":\"out-of-scope\",\"message\":\"the credential of 'opener' has no scope that names 'vault.whoami' — its scopes are"
                        + " [open.*]\"}");
    }

    @Test
    void anInternalFunctionIsRefusedToEveryKeyButCalledByOtherFunctions() throws Exception {
        String key = createKey("everything", "--scopes", "*");
        HttpResponse<String> r = call("vault.inner", key);
        assertEquals(403, r.statusCode(), r.body());
        assertEquals("internal-function", r.body().replaceAll(".*\"error\":\"([^\"]+)\".*", "$1"));
        assertEquals("\"anonymous\"", call("open.relay", null).body());
    }

    @Test
    void aRevokedKeyIsRefusedOnTheVeryNextCall() throws Exception {
        String key = createKey("leaving", "--scopes", "vault.*");
        assertEquals(200, call("vault.whoami", key).statusCode());
        assertTrue(nanolith("keys", "list").contains("leaving"));
        assertEquals("Revoked key 'leaving'.\n", nanolith("keys", "revoke", "leaving"));
        assertEquals(401, call("vault.whoami", key).statusCode());
        assertFalse(nanolith("keys", "list").contains("leaving"));
    }

    @Test
    void anExpiredKeyIsRefused() throws Exception {
        String key = createKey("brief", "--scopes", "vault.*", "--expires", "1s");
        assertTrue(nanolith("keys", "list").contains("brief"));
        Thread.sleep(1_100);
        HttpResponse<String> r = call("vault.whoami", key);
        assertEquals(401, r.statusCode(), r.body());
    }

    @Test
    void keysAreKeptHashedAndShownOnlyWhenMade() throws Exception {
        String key = createKey("stored", "--scopes", "vault.*");
        String kept = Files.readString(platform.dataDir().resolve("keys.json"));
        assertTrue(kept.contains("\"stored\""), kept);
        assertFalse(kept.contains(key), "keys.json holds the key itself");
        assertFalse(nanolith("keys", "list").contains(key));
    }

    @Test
    void aJwtOfTheIdentityProviderCallsWhatItsScopesNameAsItsSubject() throws Exception {
        String token = jwt(provider, "ada@example.com", "vault.whoami open.*", ISSUER, Instant.now().plusSeconds(300));
        HttpResponse<String> own = call("vault.whoami", token);
        assertEquals(200, own.statusCode(), own.body());
        assertEquals("\"ada@example.com\"", own.body());
        assertEquals("\"ada@example.com\"", call("open.relay", token).body());
        assertEquals(403, call("vault.inner", token).statusCode());
    }

    @Test
    void aJwtThatIsExpiredForeignOrForAnotherAudienceIsRefusedWith401() throws Exception {
        String invalid = "Bearer realm=\"nanolith\", error=\"invalid_token\"";
        // Past its expiry by more than the clock skew allowed (60 s).
        assertEquals(invalid, call("vault.whoami", jwt(provider, "ada", "vault.*", ISSUER, Instant.now().minusSeconds(120)))
                .headers().firstValue("WWW-Authenticate").orElse(""));
        // Signed by a key the provider's set does not hold, under the same key id.
        RSAKey stranger = new RSAKeyGenerator(2048).keyID(provider.getKeyID()).generate();
        assertEquals(401, call("vault.whoami", jwt(stranger, "mallory", "*", ISSUER, Instant.now().plusSeconds(300))).statusCode());
        // Issued by someone else.
        assertEquals(401, call("vault.whoami", jwt(provider, "ada", "vault.*", "https://other.example.com", Instant.now().plusSeconds(300)))
                .statusCode());
        assertEquals(401, call("vault.whoami", "not.a.jwt").statusCode());
    }

    @Test
    void aJwtWhoseScopesDoNotNameTheFunctionIsRefusedWith403() throws Exception {
        HttpResponse<String> r = call("vault.whoami", jwt(provider, "grace", "open.*", ISSUER, Instant.now().plusSeconds(300)));
        assertRefused(r, 403, "Bearer realm=\"nanolith\", error=\"insufficient_scope\"",
                "{\"error\":\"out-of-scope\",\"message\":\"the credential of 'grace' has no scope that names 'vault.whoami' — its scopes are [open.*]\"}");
    }

    @Test
    void aFunctionsRateLimitHoldsForEachCallerWith429AndRetryAfter() throws Exception {
        assertEquals(200, call("open.limited", null).statusCode());
        assertEquals(200, call("open.limited", null).statusCode());
        HttpResponse<String> third = call("open.limited", null);
        assertEquals(429, third.statusCode(), third.body());
        long retryAfter = Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After: " + retryAfter);
        assertEquals("{\"error\":\"rate-limited\",\"message\":\"'open.limited' takes at most 2/m calls from callers without a credential"
                + " — try again in " + retryAfter + " s\"}", third.body());
        // A caller with a key of its own has an allowance of its own.
        assertEquals("\"own-allowance\"", call("open.limited", createKey("own-allowance", "--scopes", "open.*")).body());
    }

    @Test
    void aKeysRateLimitHoldsOverEveryFunctionItCalls() throws Exception {
        String key = createKey("metered", "--scopes", "open.*", "--rate-limit", "2/h");
        assertTrue(nanolith("keys", "list").contains("at most 2/h"));
        assertEquals(200, call("open.whoami", key).statusCode());
        assertEquals(200, call("open.relay", key).statusCode());
        HttpResponse<String> third = call("open.whoami", key);
        assertEquals(429, third.statusCode(), third.body());
        assertTrue(third.body().contains("'metered' may make at most 2/h calls — try again in "), third.body());
    }

    @Test
    void anUnknownRateLimitIsRefusedAtItsLine() {
        assertEquals(List.of("nanolith.yaml:4: rate limit 'lots' is not valid — write it like 100/s, 600/m or 1000/h"),
                refused("greedy", "rate-limit: lots"));
    }

    /** What a push of app {@code name}, whose one function's entry in nanolith.yaml (line 4) is {@code setting}, is refused with. */
    static List<String> refused(String name, String setting) {
        Path app = TestApp.in(tmp.resolve(name)).yaml("app: " + name + "\nfunctions:\n  " + name + ".whoami:\n    " + setting + "\n")
                .source(name + "/Whoami.java", whoami(name)).write();
        return assertThrows(LoadException.class, () -> platform.deploy(app)).problems().stream().map(Object::toString).toList();
    }

    @Test
    void aFunctionNotAmongTheCallersIsRefusedAlikeInItsProcessAndFromAnother() throws Exception {
        // open.sneak runs in the open worker, vault.peek beside vault.inner in the vault worker.
        for (String caller : List.of("open.sneak", "vault.peek")) {
            HttpResponse<String> r = call(caller, null);
            assertEquals(403, r.statusCode(), r.body());
            assertEquals("{\"error\":\"caller-not-allowed\",\"message\":\"'" + caller + "' may not call 'vault.inner' — its callers are"
                    + " [open.relay]\"}", r.body());
        }
        assertEquals(200, call("open.relay", null).statusCode());
    }

    /**
     * Plays the worker of the open service on a raw connection to the vault's worker, with the key
     * the platform issues to that worker: it may call as the functions it hosts, and no other.
     */
    @Test
    void aWorkerThatNamesACallerItDoesNotHostIsRefused() throws Exception {
        Endpoint vault = platform.serving("vault").orElseThrow().endpoints().get("vault");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), vault.port())) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            byte[] challenge = in.readNBytes(32);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(platform.wireKey("vault/open", "vault/vault"), "HmacSHA256"));
            out.writeUTF("vault/open");
            out.write(mac.doFinal(challenge));
            out.flush();
            assertEquals(1, in.readByte(), "the key issued to open's worker is taken");

            // vault.peek is the vault's own function: open's worker may not call as it.
            wireCall(out, "vault.inner", "mallory", "vault.peek");
            assertEquals(6, in.readByte(), "a refusal");
            assertEquals(403, in.readShort());
            assertEquals("forged-caller", in.readUTF());
            assertEquals("the call of 'vault.inner' was refused: 'vault/open' named 'vault.peek' as the caller, which it does not host",
                    in.readUTF());
            in.readLong();

            // As open.relay, which it hosts and vault.inner lists, the call goes through.
            wireCall(out, "vault.inner", "mallory", "open.relay");
            assertEquals(0, in.readByte(), "an output");
            assertEquals("\"mallory\"", new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8));
        }
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), vault.port())) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            in.readNBytes(32);
            // Another app's worker, or one holding the key of another pair, cannot pass for open's.
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(platform.wireKey("vault/open", "vault/other"), "HmacSHA256"));
            out.writeUTF("vault/open");
            out.write(mac.doFinal(new byte[32]));
            out.flush();
            assertEquals(-1, in.read(), "a connection without its key is closed");
        }
    }

    /** A call as the wire protocol carries it (see Wire): kind, function, principal, caller, time left, trace, JSON. */
    static void wireCall(DataOutputStream out, String function, String principal, String caller) throws IOException {
        byte[] input = "\"hi\"".getBytes(StandardCharsets.UTF_8);
        out.writeByte(0);
        out.writeUTF(function);
        out.writeUTF(principal);
        out.writeUTF(caller);
        out.writeLong(5_000);
        // The trace id, the call's span id, its caller's.
        out.writeLong(1);
        out.writeLong(2);
        out.writeLong(3);
        out.writeLong(4);
        out.writeInt(input.length);
        out.write(input);
        out.flush();
    }

    @Test
    void aCallersGlobThatMatchesNoFunctionIsRefusedAtItsLine() {
        assertEquals(List.of("nanolith.yaml:4: functions.lonely.whoami.callers: 'chekout.*' matches no function — its functions are lonely.whoami"),
                refused("lonely", "callers: [chekout.*]"));
    }

    @Test
    void anUnknownAccessIsRefusedAtItsLine() {
        assertEquals(List.of("nanolith.yaml:4: unknown access 'pubic' — use public, key or internal"), refused("typo", "access: pubic"));
    }
}
