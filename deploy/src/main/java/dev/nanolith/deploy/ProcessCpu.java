package dev.nanolith.deploy;

import dev.nanolith.audit.Usage;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The CPU time each worker's processes (its sandbox and its JVM), the control plane's own
 * process and the whole host spend, sampled every {@link #PERIOD} and kept for {@link #KEPT}:
 * what {@link #usage} turns into the cores each used over a window. Read through the JDK's
 * {@link ProcessHandle.Info#totalCpuDuration()} and the host's load
 * ({@code com.sun.management.OperatingSystemMXBean#getCpuLoad()}).
 */
public final class ProcessCpu implements AutoCloseable {

    static final Duration PERIOD = Duration.ofSeconds(1);
    static final Duration KEPT = Duration.ofHours(1);

    /** One sample: when, and the CPU time spent until then, in ns. */
    private record Sample(Instant at, long nanos) {
    }

    /** A worker's samples; {@code base} carries the CPU time of its earlier processes, should one have been started again. */
    private static final class Series {
        final Deque<Sample> samples = new ArrayDeque<>();
        long pid;
        long base;
        long last;
    }

    private final Workers workers;
    private final Clock clock;
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final int cores = Runtime.getRuntime().availableProcessors();
    /** By app, revision and service. */
    private final Map<List<String>, Series> series = new ConcurrentHashMap<>();
    private final Series host = new Series();
    private final Series platform = new Series();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread thread;
    private long hostBusy;
    private Instant previous;

    public ProcessCpu(Workers workers, Clock clock) {
        this.workers = workers;
        this.clock = clock;
        os.getCpuLoad();
        this.previous = clock.instant();
        this.thread = Thread.ofPlatform().daemon().name("nanolith-cpu").start(this::run);
    }

    private void run() {
        try {
            while (!closed.await(PERIOD.toMillis(), TimeUnit.MILLISECONDS)) {
                sample();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void sample() {
        Instant now = clock.instant();
        double load = os.getCpuLoad();
        if (load >= 0) {
            hostBusy += Math.round(load * cores * Duration.between(previous, now).toNanos());
        }
        previous = now;
        add(host, now, 0, hostBusy);
        add(platform, now, 0, cpu(ProcessHandle.current()));
        Map<Long, List<ProcessHandle>> children = new HashMap<>();
        ProcessHandle.allProcesses().forEach(p -> p.parent().ifPresent(parent -> children.computeIfAbsent(parent.pid(), k -> new ArrayList<>()).add(p)));
        for (Workers.Running worker : workers.running()) {
            long nanos = ProcessHandle.of(worker.pid()).map(p -> tree(p, children, 0)).orElse(-1L);
            if (nanos >= 0) {
                add(series.computeIfAbsent(List.of(worker.app(), worker.revision(), worker.service()), k -> new Series()), now, worker.pid(), nanos);
            }
        }
        Instant oldest = now.minus(KEPT);
        series.values().removeIf(s -> {
            while (!s.samples.isEmpty() && s.samples.peekFirst().at().isBefore(oldest)) {
                s.samples.removeFirst();
            }
            return s.samples.isEmpty();
        });
        while (!host.samples.isEmpty() && host.samples.peekFirst().at().isBefore(oldest)) {
            host.samples.removeFirst();
            platform.samples.removeFirst();
        }
    }

    private static void add(Series s, Instant at, long pid, long nanos) {
        if (s.pid != pid) {
            s.base += s.last;
            s.pid = pid;
        }
        s.last = nanos;
        s.samples.addLast(new Sample(at, s.base + nanos));
    }

    /** The CPU time of {@code process} and its descendants, in ns. */
    private static long tree(ProcessHandle process, Map<Long, List<ProcessHandle>> children, int depth) {
        long nanos = cpu(process);
        if (depth < 8) {
            for (ProcessHandle child : children.getOrDefault(process.pid(), List.of())) {
                nanos += tree(child, children, depth + 1);
            }
        }
        return nanos;
    }

    private static long cpu(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /**
     * What the workers of {@code revision} of {@code app}, the control plane and the host used
     * between {@code from} and {@code to}, widened to the samples around them (the last one at or
     * before {@code from}, the first one at or after {@code to}, or the newest).
     *
     * @return empty when no two samples span it
     */
    public synchronized Optional<Usage> usage(String app, String revision, Instant from, Instant to) {
        Optional<double[]> host = span(this.host, from, to);
        if (host.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Double> services = new TreeMap<>();
        series.forEach((key, s) -> {
            if (key.get(0).equals(app) && key.get(1).equals(revision)) {
                span(s, from, to).ifPresent(used -> services.put(key.get(2), used[0] / used[1]));
            }
        });
        double seconds = host.get()[1];
        return Optional.of(new Usage(seconds, cores, host.get()[0] / seconds, span(platform, from, to).map(used -> used[0] / used[1]).orElse(0.0),
                services));
    }

    /** The CPU time {@code s} spent over the samples that span {@code from} to {@code to}, and their interval, both in s. */
    private static Optional<double[]> span(Series s, Instant from, Instant to) {
        Sample first = null;
        Sample last = null;
        for (Sample x : s.samples) {
            if (first == null || !x.at().isAfter(from)) {
                first = x;
            }
            last = x;
            if (!x.at().isBefore(to)) {
                break;
            }
        }
        if (first == null || !last.at().isAfter(first.at())) {
            return Optional.empty();
        }
        return Optional.of(new double[] {(last.nanos() - first.nanos()) / 1e9, Duration.between(first.at(), last.at()).toNanos() / 1e9});
    }

    @Override
    public void close() {
        closed.countDown();
    }
}
