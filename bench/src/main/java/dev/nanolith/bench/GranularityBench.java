package dev.nanolith.bench;

import dev.nanolith.Caller;
import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import dev.nanolith.cli.Platform;
import dev.nanolith.examples.psp.PaymentSimulator;
import dev.nanolith.runtime.Revision;
import dev.nanolith.runtime.Route;
import dev.nanolith.runtime.placement.Endpoint;
import dev.nanolith.runtime.placement.Placement;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.lang.System.Logger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The classic comparison, measured in one run: the shop's create-order operation (18 functions)
 * as the same business logic called as plain Java behind the same HTTP server (the floor), as
 * one process, as three services and as one process per function. Prints one table.
 * Usage: {@code GranularityBench SHOP_DIR [seconds] [concurrency] [modes]}.
 */
public final class GranularityBench {

    static final String ORDER = "{\"token\":\"tk_ada_4d3f\",\"items\":[{\"sku\":\"CB-300\",\"quantity\":1}],"
            + "\"shipTo\":{\"name\":\"Ada Lovelace\",\"street\":\"Herengracht 1\",\"postcode\":\"1015 BA\",\"city\":\"Amsterdam\",\"country\":\"NL\"}}";
    static final Pattern REMOTE_EDGES = Pattern.compile("^nanolith_edge_duration_seconds_count\\{[^}]*kind=\"remote\"[^}]*} (\\S+)$", Pattern.MULTILINE);

    /** One line of the table. */
    record Row(String name, int processes, double p50Micros, double p99Micros, double perSecond, long rssMiB, double remoteHops) {
    }

    private GranularityBench() {
    }

    public static void main(String[] args) throws Exception {
        Path shop = Path.of(args[0]).toAbsolutePath().normalize();
        Duration duration = Duration.ofSeconds(args.length > 1 ? Integer.parseInt(args[1]) : 15);
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        List<String> modes = args.length > 3 ? Arrays.asList(args[3].split(",")) : List.of("monolith", "services", "nano");
        List<Row> rows = new ArrayList<>();
        rows.add(measure(shop, null, duration, concurrency));
        for (String mode : modes) {
            try {
                rows.add(measure(shop, Placement.Mode.valueOf(mode.toUpperCase()), duration, concurrency));
            } catch (Exception e) {
                // A placement that cannot keep up is a result too: its row says so, the others still count.
                System.err.println("bench: " + mode + " failed: " + e.getMessage());
                rows.add(new Row(mode + " (failed)", 0, Double.NaN, Double.NaN, Double.NaN, 0, Double.NaN));
            }
        }
        print(rows, concurrency, duration);
    }

    /** Measures one placement, or the plain-Java floor when {@code mode} is null. */
    static Row measure(Path shop, Placement.Mode mode, Duration duration, int concurrency) throws Exception {
        String name = mode == null ? "plain Java (floor)" : mode.name().toLowerCase();
        System.err.println("bench: " + name + ": starting");
        // Every placement runs on the same kind of database: one the processes of several services can share.
        String dbUrl = "jdbc:h2:" + Files.createTempDirectory("nanolith-bench-").resolve("shop") + ";AUTO_SERVER=TRUE;DB_CLOSE_DELAY=-1";
        try (PaymentSimulator psp = PaymentSimulator.start("127.0.0.1", 0);
             Platform platform = Platform.start(Platform.Options.loopback(0).placed(mode == null ? Placement.Mode.MONOLITH : mode)
                     .with(Map.of("PSP_URL", psp.url(), "PSP_API_KEY", psp.apiKey(), "SHOP_DB_URL", dbUrl)))) {
            Revision revision = platform.deploy(shop);
            WebServer floor = mode == null ? floorServer(revision) : null;
            String url = (floor != null ? "http://127.0.0.1:" + floor.port() : platform.url()) + "/fn/orders.create-order";
            try {
                load(url, Duration.ofSeconds(1), 1);
                try (Connection c = DriverManager.getConnection(dbUrl)) {
                    c.createStatement().executeUpdate("UPDATE stock SET on_hand = 1000000000");
                }
                System.err.println("bench: " + name + ": warming up");
                load(url, Duration.ofSeconds(10), concurrency);
                double remoteBefore = remoteEdges(platform, revision);
                System.err.println("bench: " + name + ": measuring for " + duration.toSeconds() + " s");
                long[] latencies = load(url, duration, concurrency);
                double hops = (remoteEdges(platform, revision) - remoteBefore) / latencies.length;
                Arrays.sort(latencies);
                List<Long> pids = new ArrayList<>(platform.servicePids().values());
                pids.add(ProcessHandle.current().pid());
                return new Row(name, pids.size(), latencies[latencies.length / 2] / 1e3, latencies[(int) (latencies.length * 0.99)] / 1e3,
                        latencies.length / (double) duration.toSeconds(), rss(pids), hops);
            } finally {
                if (floor != null) {
                    floor.stop();
                }
            }
        }
    }

    /** Requests at a fixed concurrency for a while, bounded in time; the latency of each in ns. A failed request ends the run. */
    static long[] load(String url, Duration duration, int concurrency) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(ORDER)).build();
        long end = System.nanoTime() + duration.toNanos();
        List<long[]> perClient = new ArrayList<>();
        List<Thread> clients = new ArrayList<>();
        AtomicBoolean failed = new AtomicBoolean();
        for (int c = 0; c < concurrency; c++) {
            clients.add(Thread.ofPlatform().start(() -> {
                long[] mine = new long[1024];
                int n = 0;
                while (System.nanoTime() < end && !failed.get()) {
                    long start = System.nanoTime();
                    try {
                        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            System.err.println("bench: " + r.statusCode() + " " + r.body());
                            failed.set(true);
                        }
                    } catch (IOException | InterruptedException e) {
                        System.err.println("bench: " + e);
                        failed.set(true);
                    }
                    if (n == mine.length) {
                        mine = Arrays.copyOf(mine, n * 2);
                    }
                    mine[n++] = System.nanoTime() - start;
                }
                synchronized (perClient) {
                    perClient.add(Arrays.copyOf(mine, n));
                }
            }));
        }
        for (Thread t : clients) {
            t.join();
        }
        if (failed.get()) {
            throw new IllegalStateException("a request failed; see above");
        }
        return perClient.stream().flatMapToLong(Arrays::stream).toArray();
    }

    /** Remote edges taken so far, summed over the platform's process and every service process. */
    static double remoteEdges(Platform platform, Revision revision) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        List<String> urls = new ArrayList<>(revision.endpoints().values().stream().map(Endpoint::http).toList());
        urls.add(platform.url());
        double sum = 0;
        for (String url : urls) {
            String text = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = REMOTE_EDGES.matcher(text);
            while (m.find()) {
                sum += Double.parseDouble(m.group(1));
            }
        }
        return sum;
    }

    /** The resident memory of the processes, summed, from /proc. */
    static long rss(List<Long> pids) throws IOException {
        long kib = 0;
        for (long pid : pids) {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    kib += Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        }
        return kib / 1024;
    }

    /**
     * The floor: the same function classes called as plain Java — each function's object calls
     * the others directly, with no pipeline, no metrics, no deadlines — behind the same HTTP
     * server and the same JSON mapping.
     */
    static WebServer floorServer(Revision revision) throws ReflectiveOperationException {
        Map<String, Object> byName = new HashMap<>();
        Map<Class<?>, String> names = new HashMap<>();
        for (Route route : revision.routes()) {
            byName.put(route.name(), route.spec().implementation().getConstructor().newInstance());
            names.put(route.spec().implementation(), route.name());
        }
        Route entry = revision.route("orders.create-order");
        return WebServer.builder().host("127.0.0.1").port(0).shutdownHook(false)
                .routing(r -> r.post("/fn/orders.create-order", (req, res) -> {
                    Object input = entry.readInput(req.content().inputStream().readAllBytes());
                    Object output = new PlainCtx(revision, byName, names, entry.name()).run(input);
                    res.status(Status.OK_200).header(HeaderValues.CONTENT_TYPE_JSON).send(entry.writeOutput(output));
                }))
                .build().start();
    }

    /** A context whose calls are plain Java calls of the other functions' objects. */
    private record PlainCtx(Revision revision, Map<String, Object> byName, Map<Class<?>, String> names, String function) implements Ctx {

        @SuppressWarnings("unchecked")
        Object run(Object input) throws Exception {
            Object target = byName.get(function);
            return target instanceof Nano<?, ?> nano ? ((Nano<Object, Object>) nano).apply(input, this)
                    : ((Function<Object, Object>) target).apply(input);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <I, O> O call(Class<? extends Nano<I, O>> callee, I input) {
            return (O) callee(names.get(callee), input);
        }

        @Override
        public <O> O call(String callee, Object input, Class<O> output) {
            Route route = revision.route(callee);
            Object converted = input == null || route.spec().input().getRawClass().isInstance(input) ? input : route.readInput(route.writeInput(input));
            Object result = callee(callee, converted);
            return result == null || output.isInstance(result) ? output.cast(result) : output.cast(route.readOutput(route.writeOutput(result)));
        }

        private Object callee(String name, Object input) {
            try {
                return new PlainCtx(revision, byName, names, name).run(input);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Caller caller() {
            return Caller.ANONYMOUS;
        }

        @Override
        public Map<String, String> config() {
            return revision.route(function).spec().config();
        }

        @Override
        public String config(String key) {
            return config().get(key);
        }

        @Override
        public String secret(String name) {
            return revision.route(function).spec().secrets().get(name);
        }

        @Override
        public Duration remaining() {
            return Duration.ofSeconds(10);
        }

        @Override
        public Logger log() {
            return System.getLogger("fn." + function);
        }
    }

    static void print(List<Row> rows, int concurrency, Duration duration) {
        Row floor = rows.getFirst();
        Row monolith = rows.stream().filter(r -> r.name().equals("monolith")).findFirst().orElse(null);
        System.out.printf("%ncreate-order (18 functions), %d concurrent clients, %d s each, all measured in this run%n%n",
                concurrency, duration.toSeconds());
        System.out.printf("%-20s %9s %10s %10s %10s %10s %12s %12s%n", "placement", "processes", "p50 µs", "p99 µs", "req/s",
                "RSS MiB", "remote hops", "p50 / floor");
        for (Row r : rows) {
            System.out.printf("%-20s %9d %10.0f %10.0f %10.1f %10d %12.1f %11.2fx%n", r.name(), r.processes(), r.p50Micros(),
                    r.p99Micros(), r.perSecond(), r.rssMiB(), r.remoteHops(), r.p50Micros() / floor.p50Micros());
        }
        if (monolith != null) {
            System.out.printf("%ntarget: monolith within 1.5x of the floor at p50: %.2fx — %s%n", monolith.p50Micros() / floor.p50Micros(),
                    monolith.p50Micros() <= 1.5 * floor.p50Micros() ? "met" : "NOT met");
            for (Row r : rows) {
                if (!Double.isNaN(r.remoteHops()) && r.remoteHops() > monolith.remoteHops() + 0.5) {
                    double perHop = (r.p50Micros() - monolith.p50Micros()) / (r.remoteHops() - monolith.remoteHops());
                    System.out.printf("target: each remote hop adds <= 150 µs at p50 (%s, %.1f hops): %.0f µs per hop — %s%n", r.name(),
                            r.remoteHops(), perHop, perHop <= 150 ? "met" : "NOT met");
                }
            }
        }
    }
}
