package dev.nanolith.dashboard;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The recent past of every function, measured: every {@link #PERIOD} it reads the platform's
 * metrics (every worker's, gathered) and keeps, per function, the last {@link #POINTS} intervals'
 * call rate, error ratio and p50/p99 latency — estimated from the latency histogram's buckets as
 * Prometheus' {@code histogram_quantile} does, by linear interpolation within the bucket — and per
 * service its worker's heap, threads, uptime and restarts.
 */
final class Sampler implements AutoCloseable {

    /** How often the metrics are read: one point of every chart. */
    static final Duration PERIOD = Duration.ofSeconds(5);

    /** How many points each function keeps: five minutes. */
    static final int POINTS = 60;

    private static final List<String> READ = List.of("nanolith_function_invocations_total", "nanolith_function_errors_total",
            "nanolith_function_duration_seconds_bucket", "jvm_memory_used_bytes", "jvm_memory_max_bytes", "jvm_threads_live_threads",
            "process_uptime_seconds", "nanolith_worker_replacements_total");

    /** One interval of one function: when it ended (epoch seconds), calls a second, the share that failed, p50 and p99 in ms (NaN: no call). */
    record Point(long time, double rate, double errorRatio, double p50, double p99) {
    }

    /** A function and its recent points, the oldest first. */
    record Series(String app, String function, String service, List<Point> points) {

        Point last() {
            return points.getLast();
        }
    }

    /** A service's worker, as its metrics last said: heap in bytes, live threads, uptime in seconds, restarts since the platform started. */
    record Service(String app, String service, double heapUsed, double heapMax, double threads, double uptime, double restarts) {
    }

    /** What a function's cumulative meters said last time: calls, errors, and the histogram's counts by upper bound. */
    private record Counters(double calls, double errors, TreeMap<Double, Double> buckets) {
    }

    private record Key(String app, String function) {
    }

    private final Supplier<String> metrics;
    private final Clock clock;
    private final Map<Key, Deque<Point>> history = new HashMap<>();
    private final Map<Key, Counters> previous = new HashMap<>();
    private final Map<Key, String> placed = new HashMap<>();
    private List<Service> services = List.of();
    private Thread thread;

    /** @param metrics a Prometheus text exposition, read once at {@link #start} and every {@link #PERIOD} after */
    Sampler(Supplier<String> metrics, Clock clock) {
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Starts sampling, unless it has started. */
    synchronized void start() {
        if (thread == null) {
            thread = Thread.ofVirtual().name("nanolith-dashboard-sampler").start(this::run);
        }
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                sample();
            } catch (RuntimeException e) {
                System.getLogger(Sampler.class.getName()).log(System.Logger.Level.WARNING, "the dashboard could not read the metrics: " + e);
            }
            try {
                Thread.sleep(PERIOD);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Reads the metrics once and adds a point to every function's series; a function no longer in
     * them (its app retired) goes. The metrics are read, every worker asked, before the series are locked.
     */
    void sample() {
        List<Exposition.Sample> read = Exposition.parse(metrics.get(), READ);
        synchronized (this) {
            add(read);
        }
    }

    private void add(List<Exposition.Sample> read) {
        long now = clock.instant().getEpochSecond();
        Map<Key, Counters> current = new HashMap<>();
        Map<List<String>, double[]> workers = new HashMap<>();
        for (Exposition.Sample s : read) {
            Key key = new Key(s.label("app"), s.label("function"));
            switch (s.name()) {
                case "nanolith_function_invocations_total" -> {
                    placed.put(key, s.label("service"));
                    current.merge(key, new Counters(s.value(), 0, new TreeMap<>()), Sampler::add);
                }
                case "nanolith_function_errors_total" -> current.merge(key, new Counters(0, s.value(), new TreeMap<>()), Sampler::add);
                case "nanolith_function_duration_seconds_bucket" -> {
                    TreeMap<Double, Double> bucket = new TreeMap<>();
                    bucket.put(s.label("le").equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(s.label("le")), s.value());
                    current.merge(key, new Counters(0, 0, bucket), Sampler::add);
                }
                default -> {
                    double[] worker = workers.computeIfAbsent(List.of(s.label("app"), s.label("service")), k -> new double[5]);
                    switch (s.name()) {
                        case "jvm_memory_used_bytes" -> worker[0] += s.label("area").equals("heap") ? s.value() : 0;
                        case "jvm_memory_max_bytes" -> worker[1] += s.label("area").equals("heap") && s.value() > 0 ? s.value() : 0;
                        case "jvm_threads_live_threads" -> worker[2] = s.value();
                        case "process_uptime_seconds" -> worker[3] = s.value();
                        default -> worker[4] += s.value();
                    }
                }
            }
        }
        current.forEach((key, latest) -> {
            Counters before = previous.get(key);
            Deque<Point> points = history.computeIfAbsent(key, k -> new ArrayDeque<>());
            if (before != null) {
                points.addLast(point(now, before, latest));
                if (points.size() > POINTS) {
                    points.removeFirst();
                }
            }
        });
        history.keySet().retainAll(current.keySet());
        placed.keySet().retainAll(current.keySet());
        previous.clear();
        previous.putAll(current);
        List<Service> found = new ArrayList<>();
        // A worker's own series name its app and service; the control plane's own series name no app.
        workers.forEach((id, w) -> {
            if (!id.get(0).isEmpty() && !id.get(1).isEmpty() && (w[3] > 0 || w[4] > 0)) {
                found.add(new Service(id.get(0), id.get(1), w[0], w[1], w[2], w[3], w[4]));
            }
        });
        found.sort(Comparator.comparing(Service::app).thenComparing(Service::service));
        services = List.copyOf(found);
    }

    private static Counters add(Counters a, Counters b) {
        TreeMap<Double, Double> buckets = new TreeMap<>(a.buckets());
        b.buckets().forEach((le, n) -> buckets.merge(le, n, Double::sum));
        return new Counters(a.calls() + b.calls(), a.errors() + b.errors(), buckets);
    }

    /** The interval between two readings; a counter that went down was reset (its worker restarted), and counts from zero. */
    private static Point point(long time, Counters before, Counters now) {
        double seconds = PERIOD.toSeconds();
        double calls = delta(before.calls(), now.calls());
        double errors = delta(before.errors(), now.errors());
        TreeMap<Double, Double> counts = new TreeMap<>();
        now.buckets().forEach((le, n) -> counts.put(le, delta(before.buckets().getOrDefault(le, 0.0), n)));
        return new Point(time, calls / seconds, calls == 0 ? 0 : Math.min(1, errors / calls), quantile(0.5, counts), quantile(0.99, counts));
    }

    private static double delta(double before, double now) {
        return now >= before ? now - before : now;
    }

    /**
     * The {@code q} quantile of the calls counted in cumulative {@code buckets} (by upper bound, in
     * seconds), in milliseconds: within the bucket it falls in, by linear interpolation from the
     * bucket below's bound (0 for the first); in the last, unbounded bucket, the largest bound. NaN without calls.
     */
    static double quantile(double q, TreeMap<Double, Double> buckets) {
        if (buckets.isEmpty() || buckets.lastEntry().getValue() == 0) {
            return Double.NaN;
        }
        double rank = q * buckets.lastEntry().getValue();
        double lowerBound = 0, lowerCount = 0;
        for (Map.Entry<Double, Double> bucket : buckets.entrySet()) {
            if (bucket.getValue() >= rank) {
                if (bucket.getKey().isInfinite()) {
                    return lowerBound * 1000;
                }
                double inBucket = bucket.getValue() - lowerCount;
                double share = inBucket == 0 ? 0 : (rank - lowerCount) / inBucket;
                return (lowerBound + (bucket.getKey() - lowerBound) * share) * 1000;
            }
            lowerBound = bucket.getKey();
            lowerCount = bucket.getValue();
        }
        return lowerBound * 1000;
    }

    /** Every function that has been called, by app and name, each with its points. */
    synchronized List<Series> functions() {
        List<Series> all = new ArrayList<>();
        history.forEach((key, points) -> {
            if (!points.isEmpty()) {
                all.add(new Series(key.app(), key.function(), placed.getOrDefault(key, ""), List.copyOf(points)));
            }
        });
        all.sort(Comparator.comparing(Series::app).thenComparing(Series::function));
        return all;
    }

    /** Every service's worker, as the metrics last said. */
    synchronized List<Service> services() {
        return services;
    }

    @Override
    public synchronized void close() {
        if (thread != null) {
            thread.interrupt();
        }
    }
}
