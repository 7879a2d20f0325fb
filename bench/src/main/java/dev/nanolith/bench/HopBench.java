package dev.nanolith.bench;

import dev.nanolith.Caller;
import dev.nanolith.cli.Platform;
import dev.nanolith.runtime.Route;
import dev.nanolith.runtime.deadline.Watchdog;
import dev.nanolith.runtime.placement.Placement;
import dev.nanolith.worker.Worker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * What one remote hop costs: {@code hot.double-sum}, which calls {@code hot.add}, through the
 * gateway with both in one worker (monolith) and each in a worker of its own (nano), against a
 * raw TCP round trip of the same size between two threads on loopback; with {@code hot.echo}
 * called in this process through a worker's pipeline, and through the gateway and its hop to the
 * worker. All measured in one run at a fixed concurrency. A pause between a
 * caller's calls shows sparse traffic, where every call finds the processes idle.
 * Usage: {@code HopBench [seconds per case] [concurrency] [pause µs]}.
 */
public final class HopBench {

    private static final String TEXT = "{\"text\":\"hello, nanolith\",\"n\":42}";

    /** One measured case: per-call latencies in ns, sorted. */
    record Case(String name, long[] nanos) {
        double p(double quantile) {
            return nanos[Math.min(nanos.length - 1, (int) (nanos.length * quantile))] / 1e3;
        }

        double perSecond(double seconds) {
            return nanos.length / seconds;
        }
    }

    /** A call to measure; runs on each client's own thread. */
    interface Op {
        void run() throws Exception;
    }

    private HopBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        long pauseNanos = (args.length > 2 ? Long.parseLong(args[2]) : 0) * 1_000;
        print(cases(seconds, concurrency, pauseNanos), seconds, concurrency, pauseNanos);
    }

    /** Measures every case: raw TCP, then each call in one process, then across processes. */
    static List<Case> cases(int seconds, int concurrency, long pauseNanos) throws Exception {
        List<Case> cases = new ArrayList<>();
        cases.add(tcp(seconds, concurrency, pauseNanos));
        try (Watchdog watchdog = new Watchdog()) {
            Route echo = Worker.loadHere(Apps.dir("hot"), Map.of(), new SimpleMeterRegistry(), watchdog).route("hot.echo");
            Object message = echo.readInput(TEXT.getBytes());
            cases.add(measure("hot.echo, in-process", seconds, concurrency, pauseNanos, () -> echo.callEntry(message, Caller.ANONYMOUS.principal())));
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (Placement.Mode mode : List.of(Placement.Mode.MONOLITH, Placement.Mode.NANO)) {
            try (Platform platform = Platform.start(Platform.Options.loopback(0).placed(mode))) {
                platform.deploy(Apps.dir("hot"));
                if (mode == Placement.Mode.MONOLITH) {
                    cases.add(measure("hot.echo, gateway", seconds, concurrency, pauseNanos, post(http, platform, "hot.echo", TEXT)));
                }
                cases.add(measure("hot.double-sum, " + mode.name().toLowerCase(), seconds, concurrency, pauseNanos,
                        post(http, platform, "hot.double-sum", "{\"a\":1,\"b\":2}")));
            }
        }
        return cases;
    }

    /** A call through the gateway, which fails the run unless it answers 200. */
    private static Op post(HttpClient http, Platform platform, String function, String json) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(platform.url() + "/fn/" + function))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return () -> {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(function + " answered " + r.statusCode() + " " + r.body());
            }
        };
    }

    /** What one hop between workers adds at p50: {@code hot.double-sum} in nano placement less in monolith. */
    static double hopMicros(List<Case> cases) {
        return cases.get(4).p(0.5) - cases.get(3).p(0.5);
    }

    /** The floor of any transport: a raw TCP round trip of the call's size on loopback, one connection per client. */
    static Case tcp(int seconds, int concurrency, long pauseNanos) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        s.setTcpNoDelay(true);
                        Thread.ofPlatform().daemon().start(() -> bounce(s));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            List<Socket> sockets = new ArrayList<>();
            ThreadLocal<Peer> mine = ThreadLocal.withInitial(() -> {
                try {
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                    s.setTcpNoDelay(true);
                    synchronized (sockets) {
                        sockets.add(s);
                    }
                    return new Peer(s);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] payload = TEXT.getBytes();
            Case result = measure("raw TCP round trip", seconds, concurrency, pauseNanos, () -> {
                Peer peer = mine.get();
                peer.out.writeInt(payload.length);
                peer.out.write(payload);
                peer.out.flush();
                peer.in.readFully(new byte[peer.in.readInt()]);
            });
            for (Socket s : sockets) {
                s.close();
            }
            return result;
        }
    }

    /** Buffered streams of one connection, as the platform's own connections have. */
    private record Peer(DataInputStream in, DataOutputStream out) {
        Peer(Socket s) throws IOException {
            this(new DataInputStream(new BufferedInputStream(s.getInputStream())), new DataOutputStream(new BufferedOutputStream(s.getOutputStream())));
        }
    }

    private static void bounce(Socket s) {
        try (s) {
            Peer peer = new Peer(s);
            while (true) {
                byte[] bytes = new byte[peer.in.readInt()];
                peer.in.readFully(bytes);
                peer.out.writeInt(bytes.length);
                peer.out.write(bytes);
                peer.out.flush();
            }
        } catch (IOException e) {
            // the client closed its connection
        }
    }

    /** Runs {@code op} for a few seconds to warm up, then for {@code seconds} from {@code concurrency} threads. */
    static Case measure(String name, int seconds, int concurrency, long pauseNanos, Op op) throws InterruptedException {
        System.err.println("bench: " + name);
        run(Math.max(2, seconds / 2), concurrency, pauseNanos, op);
        return new Case(name, run(seconds, concurrency, pauseNanos, op));
    }

    /** Calls {@code op} from {@code concurrency} threads for {@code seconds}; the latency of each call in ns, sorted. A failure ends the run. */
    static long[] run(int seconds, int concurrency, long pauseNanos, Op op) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<long[]> all = new ArrayList<>();
        AtomicBoolean failed = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            clients.add(Thread.ofPlatform().start(() -> {
                long[] mine = new long[1 << 16];
                int n = 0;
                try {
                    while (!failed.get()) {
                        long start = System.nanoTime();
                        if (start >= end) {
                            break;
                        }
                        op.run();
                        if (n == mine.length) {
                            mine = Arrays.copyOf(mine, n * 2);
                        }
                        mine[n++] = System.nanoTime() - start;
                        if (pauseNanos > 0) {
                            LockSupport.parkNanos(pauseNanos);
                        }
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                    failed.set(true);
                }
                synchronized (all) {
                    all.add(Arrays.copyOf(mine, n));
                }
            }));
        }
        for (Thread t : clients) {
            t.join();
        }
        if (failed.get()) {
            throw new IllegalStateException("a call failed; see above");
        }
        long[] nanos = all.stream().flatMapToLong(Arrays::stream).toArray();
        Arrays.sort(nanos);
        return nanos;
    }

    static void print(List<Case> cases, int seconds, int concurrency, long pauseNanos) {
        System.out.printf("%none remote hop on loopback, %d concurrent caller(s), %d µs pause between a caller's calls, %d s per case,"
                + " all measured in this run%n%n", concurrency, pauseNanos / 1_000, seconds);
        System.out.printf("%-28s %10s %10s %12s%n", "case", "p50 µs", "p99 µs", "calls/s");
        for (Case c : cases) {
            System.out.printf("%-28s %10.1f %10.1f %12.0f%n", c.name(), c.p(0.5), c.p(0.99), c.perSecond(seconds));
        }
        Case tcp = cases.get(0);
        double hop = hopMicros(cases);
        double gateway = cases.get(2).p(0.5) - cases.get(1).p(0.5);
        System.out.printf("%nremote hop between workers (hot.double-sum nano - monolith, p50): %.1f µs = %.1fx a raw TCP round trip (%.1f µs)%n",
                hop, hop / tcp.p(0.5), tcp.p(0.5));
        System.out.printf("gateway and its hop to the worker (hot.echo through the gateway - in-process, p50): %.1f µs%n", gateway);
        System.out.printf("target: each remote hop adds <= 150 µs at p50: %s%n", hop <= 150 ? "met" : "NOT met");
    }
}
