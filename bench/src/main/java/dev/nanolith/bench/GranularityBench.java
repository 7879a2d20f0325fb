package dev.nanolith.bench;

import dev.nanolith.Caller;
import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import dev.nanolith.cli.Platform;
import dev.nanolith.examples.psp.PaymentSimulator;
import dev.nanolith.runtime.Revision;
import dev.nanolith.runtime.deadline.Watchdog;
import dev.nanolith.worker.Worker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.nanolith.runtime.Route;
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
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.h2.tools.Server;

/**
 * The classic comparison, measured in one run: the shop's create-order operation (18 functions)
 * as the same business logic called as plain Java behind the same HTTP server (the floor), as
 * one process, as three services and as one process per function. Prints one table.
 * Usage: {@code GranularityBench SHOP_DIR [seconds] [concurrency] [modes]}.
 */
public final class GranularityBench {

    static final String ORDER = "{\"token\":\"tk_ada_4d3f\",\"items\":[{\"sku\":\"CB-300\",\"quantity\":1}],"
            + "\"shipTo\":{\"name\":\"Ada Lovelace\",\"street\":\"Herengracht 1\",\"postcode\":\"1015 BA\",\"city\":\"Amsterdam\",\"country\":\"NL\"}}";
    static final Pattern EDGES = Pattern.compile("^nanolith_edge_duration_seconds_(count|sum)\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);
    static final Pattern TAG = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /** One line of the table. */
    record Row(String name, int processes, double p50Micros, double p99Micros, double perSecond, long rssMiB, double remoteHops,
               double p50AloneMicros, double hopAloneMicros) {
    }

    /**
     * The edge meters of every process, summed: count and seconds by caller, callee and kind. A
     * call between two processes is a remote edge in the caller's and a local one in the callee's:
     * the difference of their times is what the hop added — transport, serialization, waiting.
     */
    record Edges(Map<String, double[]> byEdge) {
        double remoteCalls() {
            return byEdge.entrySet().stream().filter(e -> e.getKey().endsWith("|remote")).mapToDouble(e -> e.getValue()[0]).sum();
        }

        /** The mean time a remote hop added since {@code before}, in µs. */
        double hopMicrosSince(Edges before) {
            double added = 0;
            for (Map.Entry<String, double[]> e : byEdge.entrySet()) {
                if (e.getKey().endsWith("|remote")) {
                    String edge = e.getKey().substring(0, e.getKey().length() - "remote".length());
                    added += delta(before, e.getKey(), 1) - delta(before, edge + "local", 1);
                }
            }
            return added / (remoteCalls() - before.remoteCalls()) * 1e6;
        }

        private double delta(Edges before, String key, int i) {
            return byEdge.getOrDefault(key, new double[2])[i] - before.byEdge.getOrDefault(key, new double[2])[i];
        }
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
                rows.add(new Row(mode + " (failed)", 0, Double.NaN, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, Double.NaN));
            }
        }
        System.err.println("bench: one remote hop alone (bench/hop.sh)");
        List<HopBench.Case> hop = HopBench.cases((int) duration.toSeconds(), 1, 0);
        print(rows, concurrency, duration, hop);
    }

    /** Measures one placement, or the plain-Java floor when {@code mode} is null. */
    static Row measure(Path shop, Placement.Mode mode, Duration duration, int concurrency) throws Exception {
        String name = mode == null ? "plain Java (floor)" : mode.name().toLowerCase();
        System.err.println("bench: " + name + ": starting");
        // Every placement reaches the same kind of database the way production does: a server, over loopback TCP.
        Server database = Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir",
                Files.createTempDirectory("nanolith-bench-").toString()).start();
        String dbUrl = "jdbc:h2:tcp://127.0.0.1:" + database.getPort() + "/shop;DB_CLOSE_DELAY=-1";
        try (PaymentSimulator psp = PaymentSimulator.start("127.0.0.1", 0);
             Platform platform = Platform.start(Platform.Options.loopback(0).placed(mode == null ? Placement.Mode.MONOLITH : mode)
                     .with(settings(psp, dbUrl)))) {
            platform.deploy(shop);
            Watchdog watchdog = new Watchdog();
            WebServer floor = mode == null ? floorServer(Worker.loadHere(shop, settings(psp, dbUrl), new SimpleMeterRegistry(), watchdog)) : null;
            String url = (floor != null ? "http://127.0.0.1:" + floor.port() : platform.url()) + "/fn/orders.create-order";
            try {
                load(url, Duration.ofSeconds(1), 1);
                try (Connection c = DriverManager.getConnection(dbUrl)) {
                    c.createStatement().executeUpdate("UPDATE stock SET on_hand = 1000000000");
                }
                // The floor, measured first, also warms what every placement shares in this JVM (the database server, the HTTP
                // server, Jackson): with the same warm-up as the others it was measured colder, and slower than the monolith.
                Duration warmUp = Duration.ofSeconds(mode == null ? 40 : 10);
                System.err.println("bench: " + name + ": warming up for " + warmUp.toSeconds() + " s");
                load(url, warmUp, concurrency);
                Edges before = edges(platform);
                System.err.println("bench: " + name + ": measuring for " + duration.toSeconds() + " s");
                long[] latencies = load(url, duration, concurrency);
                double hops = (edges(platform).remoteCalls() - before.remoteCalls()) / latencies.length;
                // Every process of the platform: this one, its workers, the spare worker and check process started ahead.
                List<Long> pids = new ArrayList<>(ProcessHandle.current().descendants().map(ProcessHandle::pid).toList());
                pids.add(ProcessHandle.current().pid());
                long rss = rss(pids);
                // One client alone: no process waits for a core, so what the hops add shows.
                System.err.println("bench: " + name + ": measuring one client alone for " + duration.toSeconds() + " s");
                Edges beforeAlone = edges(platform);
                long[] alone = load(url, duration, 1);
                double hop = hops > 0 ? edges(platform).hopMicrosSince(beforeAlone) : Double.NaN;
                return new Row(name, platform.servicePids().size() + 1, latencies[latencies.length / 2] / 1e3, latencies[(int) (latencies.length * 0.99)] / 1e3,
                        latencies.length / (double) duration.toSeconds(), rss, hops, alone[alone.length / 2] / 1e3, hop);
            } finally {
                if (floor != null) {
                    floor.stop();
                }
                watchdog.close();
            }
        } finally {
            database.stop();
        }
    }

    /** What the shop is given: its payment processor and its database. */
    private static Map<String, String> settings(PaymentSimulator psp, String dbUrl) {
        return Map.of("PSP_URL", psp.url(), "PSP_API_KEY", psp.apiKey(), "SHOP_DB_URL", dbUrl);
    }

    /** Requests at a fixed concurrency for a while, bounded in time; the latency of each in ns, sorted. A failed request ends the run. */
    static long[] load(String url, Duration duration, int concurrency) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(ORDER)).build();
        return HopBench.run((int) duration.toSeconds(), concurrency, 0, () -> {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("create-order answered " + r.statusCode() + " " + r.body());
            }
        });
    }

    /** The edge meters of every worker, summed, as the platform's {@code /metrics} gathers them. */
    static Edges edges(Platform platform) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        List<String> urls = List.of(platform.url());
        Map<String, double[]> byEdge = new HashMap<>();
        for (String url : urls) {
            String text = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = EDGES.matcher(text);
            while (m.find()) {
                Map<String, String> tags = new HashMap<>();
                Matcher tag = TAG.matcher(m.group(2));
                while (tag.find()) {
                    tags.put(tag.group(1), tag.group(2));
                }
                String key = tags.get("caller") + "|" + tags.get("callee") + "|" + tags.get("kind");
                byEdge.computeIfAbsent(key, k -> new double[2])[m.group(1).equals("count") ? 0 : 1] += Double.parseDouble(m.group(3));
            }
        }
        return new Edges(byEdge);
    }

    /** The resident memory of the processes, summed, from /proc. */
    static long rss(List<Long> pids) throws IOException {
        long kib = 0;
        for (long pid : pids) {
            List<String> status;
            try {
                status = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
            } catch (IOException e) {
                continue; // a process that ended meanwhile
            }
            for (String line : status) {
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
        @SuppressWarnings("unchecked")
        public <I, O> O apply(Class<? extends Function<I, O>> callee, I input) {
            return (O) callee(names.get(callee), input);
        }

        @Override
        public <O> O get(Class<? extends Supplier<O>> callee) {
            throw new UnsupportedOperationException("the shop has no suppliers");
        }

        @Override
        public <I> void accept(Class<? extends Consumer<I>> callee, I input) {
            throw new UnsupportedOperationException("the shop has no consumers");
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
            return revision.secrets().get(name);
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

    static void print(List<Row> rows, int concurrency, Duration duration, List<HopBench.Case> hop) {
        Row floor = rows.getFirst();
        Row monolith = rows.stream().filter(r -> r.name().equals("monolith")).findFirst().orElse(null);
        System.out.printf("%ncreate-order (18 functions), %d concurrent clients, %d s each, all measured in this run;"
                + " the database is an H2 server on loopback for every placement%n%n", concurrency, duration.toSeconds());
        System.out.printf("%-20s %9s %10s %10s %10s %10s %12s %12s %14s %14s%n", "placement", "processes", "p50 µs", "p99 µs", "req/s",
                "RSS MiB", "remote hops", "p50 / floor", "p50 µs alone", "µs per hop");
        for (Row r : rows) {
            System.out.printf("%-20s %9d %10.0f %10.0f %10.1f %10d %12.1f %11.2fx %14.0f %14.0f%n", r.name(), r.processes(), r.p50Micros(),
                    r.p99Micros(), r.perSecond(), r.rssMiB(), r.remoteHops(), r.p50Micros() / floor.p50Micros(), r.p50AloneMicros(),
                    r.hopAloneMicros());
        }
        System.out.printf("%n'alone': one client, no process waiting for a core; 'µs per hop': what a remote call took in its caller's"
                + " process minus what it took in its callee's, by the platform's edge meters, one client%n");
        if (monolith != null) {
            System.out.printf("%ntarget: monolith within 1.2x of the floor at p50: %.2fx — %s%n", monolith.p50Micros() / floor.p50Micros(),
                    monolith.p50Micros() <= 1.2 * floor.p50Micros() ? "met" : "NOT met");
        }
        double perHop = HopBench.hopMicros(hop);
        System.out.printf("target: each remote hop adds <= 150 µs at p50: %.0f µs — %s (hot.double-sum with hot.add in a worker of its own less"
                + " in one, one caller; a raw TCP round trip %.0f µs, same run)%n", perHop, perHop <= 150 ? "met" : "NOT met",
                hop.getFirst().p(0.5));
        if (monolith != null) {
            for (Row r : rows) {
                if (!Double.isNaN(r.remoteHops()) && r.remoteHops() > monolith.remoteHops() + 0.5) {
                    double hops = r.remoteHops() - monolith.remoteHops();
                    System.out.printf("%s: %.1f hops per create-order; one client: %.0f µs per hop on average by the edge meters, %.0f µs"
                            + " by p50 over the monolith's; %d clients on %d cores: %.0f µs by p50 over the monolith's%n", r.name(),
                            r.remoteHops(), r.hopAloneMicros(), (r.p50AloneMicros() - monolith.p50AloneMicros()) / hops, concurrency,
                            Runtime.getRuntime().availableProcessors(), (r.p50Micros() - monolith.p50Micros()) / hops);
                }
            }
            System.out.println("(inside create-order a hop finds its process idle, and waking it costs more than the hop's own work —"
                    + " bench/hop.sh 10 1 2000 shows a raw TCP round trip slowing alike; under load, processes wait for a core)");
        }
    }
}
