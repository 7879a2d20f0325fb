package dev.nanolith.worker;

import dev.nanolith.BadInputException;
import dev.nanolith.runtime.Trace;
import dev.nanolith.runtime.deadline.Watchdog;
import dev.nanolith.runtime.dispatch.Identities;
import dev.nanolith.runtime.dispatch.WireClient;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.observe.Activations;
import dev.nanolith.runtime.placement.Endpoint;
import dev.nanolith.runtime.placement.Placement;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The platform's own small app, a resource of this module, put through what app code goes
 * through to warm a JVM up before any app's code runs in it. A check process checks it as it
 * waits for a push (javac and JUnit loaded and compiled to machine code); the process that
 * writes the class archive also serves it as a worker and calls it as the gateway does, so that
 * what both kinds of process load — the compiler, the test engine, the loader, the pipeline,
 * the wire, Jackson, the JDK's HTTP client — is in the archive, with how hot each method is.
 */
final class Training {

    private static final String APP = "nanolith-training";
    private static final List<String> FILES = List.of("nanolith.yaml", "src/main/java/training/Line.java",
            "src/main/java/training/Price.java", "src/main/java/training/Quote.java", "src/main/java/training/Fetch.java",
            "src/test/java/training/QuoteTest.java");
    private static final long TIMEOUT_MILLIS = 10_000;
    /** How many times each function is called when served: enough for the JIT to profile the call path. */
    private static final int CALLS = 1_000;
    private static final byte[] ORDER = """
            {"lines": [{"sku": "A", "quantity": 2, "unitCents": 150}, {"sku": "B", "quantity": 1, "unitCents": 99}], "on": "2026-01-01"}"""
            .getBytes(StandardCharsets.UTF_8);

    private Training() {
    }

    /** Checks the app as a push is checked (compiled, loaded, tested, started) {@code times} times, or until {@code enough}. */
    static void check(int times, BooleanSupplier enough) {
        try (Watchdog watchdog = new Watchdog()) {
            for (int i = 0; i < times && !enough.getAsBoolean(); i++) {
                Path dir = unpack();
                try {
                    check(dir, watchdog);
                } finally {
                    delete(dir);
                }
            }
        } catch (IOException | LoadException | RuntimeException e) {
            System.getLogger(Training.class.getName()).log(System.Logger.Level.WARNING, "the warm-up check failed", e);
        }
    }

    /** Checks the app, then serves it in a worker and calls each of its functions over the wire. */
    static void checkAndServe() throws IOException, LoadException {
        Path dir = unpack();
        try (Watchdog watchdog = new Watchdog()) {
            check(dir, watchdog);
            String secret = "training";
            String service = APP;
            Identities issued = Identities.worker(Identities.of(APP, service), Identities.issue(secret, APP, service, List.of(service)));
            try (Worker worker = new Worker(new Worker.Load(dir, APP, "r1", service, Placement.Rule.of(Placement.Mode.MONOLITH), TIMEOUT_MILLIS, Map.of(),
                    Activations.CAPACITY), issued);
                 WireClient client = new WireClient(Identities.platform(secret))) {
                Endpoint endpoint = new Endpoint("127.0.0.1", worker.port());
                Duration timeout = Duration.ofMillis(TIMEOUT_MILLIS);
                for (int i = 0; i < CALLS; i++) {
                    long deadline = System.nanoTime() + timeout.toNanos();
                    client.forward(endpoint, APP, "training.quote", service, timeout, deadline, "training", Trace.next(), ORDER);
                    client.forward(endpoint, APP, "training.fetch", service, timeout, deadline, "training", Trace.next(),
                            "\"/orders\"".getBytes(StandardCharsets.UTF_8));
                    try {
                        client.forward(endpoint, APP, "training.quote", service, timeout, deadline, "training", Trace.next(),
                                "{\"lines\": 3}".getBytes(StandardCharsets.UTF_8));
                    } catch (BadInputException expected) {
                        // bad input, named as the gateway names it
                    }
                }
                client.scrape(endpoint, APP, service);
                client.activations(endpoint, APP, service);
            }
        } finally {
            delete(dir);
        }
    }

    private static void check(Path dir, Watchdog watchdog) throws LoadException, IOException {
        Checker.check(new Checker.Job(dir, APP, "r1", Placement.Rule.of(Placement.Mode.MONOLITH), TIMEOUT_MILLIS, List.of(), Map.of(), Map.of(), true, true, dir),
                watchdog, new PrintStream(OutputStream.nullOutputStream()));
    }

    /** The app's files, in a new temporary folder. */
    private static Path unpack() throws IOException {
        Path dir = Files.createTempDirectory("nanolith-training-");
        for (String file : FILES) {
            Path target = dir.resolve(file);
            Files.createDirectories(target.getParent());
            try (InputStream in = Training.class.getResourceAsStream("training/" + file)) {
                if (in == null) {
                    throw new IOException("the platform's build lacks training/" + file + " — rebuild the platform");
                }
                Files.copy(in, target);
            }
        }
        return dir;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
