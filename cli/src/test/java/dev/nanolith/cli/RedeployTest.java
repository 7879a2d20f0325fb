package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many deploys in a row: memory stays bounded, and traffic never notices a switch. */
class RedeployTest {

    static final Path SHOP = Path.of("../examples/shop");

    @TempDir
    Path tmp;
    Platform platform;

    @AfterEach
    void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    /** Creates {@code app} on the platform and returns a clone of its empty repository. */
    GitClient cloneOf(String app, Path work) {
        Http http = new Http(platform.url());
        Http.Response created = http.send(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps"))
                .header("Authorization", "Bearer " + platform.adminToken())
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + app + "\"}")));
        assertEquals(201, created.status(), created.body());
        new GitClient(tmp).ok("clone", "-q", created.json().path("remote").asText(), work.toString());
        return new GitClient(work);
    }

    @Test
    void twelveDeploysOfTheShopLeaveTheControlPlanesMetaspaceBoundedAndEveryOldWorkerEnded() throws Exception {
        platform = Platform.start(Platform.Options.loopback(0).withData(tmp.resolve("data")).with(Map.of(
                "PSP_URL", "http://127.0.0.1:9", "PSP_API_KEY", "unused", "SHOP_DB_URL", "jdbc:h2:mem:redeploy;DB_CLOSE_DELAY=-1")));
        Path work = tmp.resolve("shop");
        GitClient git = cloneOf("shop", work);
        copyApp(SHOP, work);
        List<ProcessHandle> replaced = new ArrayList<>();
        long metaspaceAfterFour = 0;
        for (int i = 1; i <= 12; i++) {
            GitClient.Result push = i == 1 ? git.commitAndPush("The shop") : pushEmpty(git, "Deploy " + i);
            assertTrue(push.ok() && push.output().contains("deployed shop r" + i + " "), push.output());
            if (i < 12) {
                replaced.add(ProcessHandle.of(platform.servicePids().get("shop")).orElseThrow());
            }
            if (i == 4) {
                metaspaceAfterFour = metaspaceUsedAfterGc();
            }
        }
        long metaspaceAfterTwelve = metaspaceUsedAfterGc();
        for (int i = 0; i < 100 && replaced.stream().anyMatch(ProcessHandle::isAlive); i++) {
            Thread.sleep(100);
        }
        assertEquals(0, replaced.stream().filter(ProcessHandle::isAlive).count(), "workers of replaced revisions still run");
        long growth = metaspaceAfterTwelve - metaspaceAfterFour;
        assertTrue(growth < 8 << 20, "the control plane's metaspace grew by " + (growth >> 20) + " MiB over 8 deploys");
        assertEquals(200, new Http(platform.url()).post("/fn/catalog.list-products", "{}").status());
    }

    @Test
    void tenRedeploysUnderSteadyLoadFailNoRequest() throws Exception {
        platform = Platform.start(Platform.Options.loopback(0).withData(tmp.resolve("data")));
        Path work = tmp.resolve("hello");
        GitClient git = cloneOf("hello", work);
        Files.createDirectories(work.resolve("src/main/java/hello"));
        Files.writeString(work.resolve("nanolith.yaml"), "app: hello\naccess: public\n");
        Files.writeString(work.resolve("src/main/java/hello/Greet.java"), GitDeployTest.GREETER.formatted("Hello"));
        assertTrue(git.commitAndPush("First").ok());

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            clients.add(Thread.ofPlatform().start(() -> {
                HttpRequest request = HttpRequest.newBuilder(URI.create(platform.url() + "/fn/hello.greet"))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString("\"Ada\"")).build();
                // Bounded: at most 20,000 requests a client, and never past the redeploys.
                for (int n = 0; n < 20_000 && running.get(); n++) {
                    try {
                        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200 && r.body().endsWith(", Ada!\"")) {
                            served.incrementAndGet();
                        } else {
                            failures.add(r.statusCode() + " " + r.body());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            }));
        }
        for (int i = 2; i <= 11; i++) {
            Files.writeString(work.resolve("src/main/java/hello/Greet.java"), GitDeployTest.GREETER.formatted("Hello #" + i));
            GitClient.Result push = git.commitAndPush("Deploy " + i);
            assertTrue(push.ok() && push.output().contains("deployed hello r" + i + " "), push.output());
        }
        running.set(false);
        for (Thread t : clients) {
            t.join();
        }
        assertEquals(List.of(), List.copyOf(failures));
        assertTrue(served.get() > 100, "only " + served.get() + " requests were served during the redeploys");
        assertEquals("\"Hello #11, Ada!\"", new Http(platform.url()).post("/fn/hello.greet", "\"Ada\"").body());
    }

    static GitClient.Result pushEmpty(GitClient git, String message) {
        git.ok("commit", "-q", "--allow-empty", "-m", message);
        return git.run("push", "origin", "main");
    }

    /** Copies an app as its author would push it: its config and sources, not build output. */
    static void copyApp(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path rel = from.relativize(f);
                if (rel.startsWith("target") || rel.toString().equals("pom.xml")) {
                    continue;
                }
                Files.createDirectories(to.resolve(rel).getParent());
                Files.copy(f, to.resolve(rel));
            }
        }
    }

    static long metaspaceUsedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getName().equals("Metaspace"))
                .mapToLong(p -> p.getUsage().getUsed()).sum();
    }
}
