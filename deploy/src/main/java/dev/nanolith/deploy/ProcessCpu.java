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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

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
    /** Every so many samples the processes under each worker are looked up again; between, they are kept. */
    static final int RESCAN = 10;

    /** One sample: when, and the CPU time spent until then, in ns. */
    private record Sample(Instant at, long nanos) {
    }

    /**
     * A worker's samples: {@code base} keeps them one count when a process read before leaves the
     * sum (it ended, or the worker started again) or comes back to it; {@code processes} names those
     * read last, {@code seen} every one read so far, and {@code read} is what they had spent.
     */
    private static final class Series {
        final Deque<Sample> samples = new ArrayDeque<>();
        List<Long> processes = List.of();
        final Set<Long> seen = new HashSet<>();
        long read;
        long base;

        /**
         * A worker's series, from its process's start, when it had spent nothing, if that was before
         * {@code now}: a worker is measured from its first sample on.
         */
        static Series since(ProcessHandle worker, Instant now) {
            Series s = new Series();
            worker.info().startInstant().filter(start -> start.isBefore(now)).ifPresent(start -> s.samples.add(new Sample(start, 0)));
            return s;
        }

        /** Drops the samples taken before {@code oldest}; whether none is left. */
        boolean trim(Instant oldest) {
            while (!samples.isEmpty() && samples.peekFirst().at().isBefore(oldest)) {
                samples.removeFirst();
            }
            return samples.isEmpty();
        }
    }

    private final Supplier<List<Workers.Running>> workers;
    private final Clock clock;
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final int cores = Runtime.getRuntime().availableProcessors();
    /** By app, revision and service. */
    private final Map<List<String>, Series> series = new HashMap<>();
    private final Series host = new Series();
    private final Series platform = new Series();
    private final CountDownLatch closed = new CountDownLatch(1);
    /** The processes of each worker, its own first, by its process id. */
    private Map<Long, List<ProcessHandle>> trees = Map.of();
    private int ticks;
    /** Whether a process of a worker's tree ended since the trees were looked up. */
    private boolean ended;
    private long hostBusy;
    private Instant previous;

    /** Samples the processes of the workers {@code workers} lists, from now until {@link #close}. */
    public ProcessCpu(Supplier<List<Workers.Running>> workers, Clock clock) {
        this.workers = workers;
        this.clock = clock;
        os.getCpuLoad();
        this.previous = clock.instant();
        Thread.ofPlatform().daemon().name("nanolith-cpu").start(this::run);
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
        add(host, now, List.of(), hostBusy);
        add(platform, now, List.of(), ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L));
        List<Workers.Running> running = workers.get();
        if (ticks++ % RESCAN == 0 || ended || running.stream().anyMatch(w -> !trees.containsKey(w.pid()))) {
            trees = trees(running);
            ended = false;
        }
        for (Workers.Running worker : running) {
            List<ProcessHandle> tree = trees.getOrDefault(worker.pid(), List.of());
            List<Long> read = new ArrayList<>();
            long nanos = 0;
            for (ProcessHandle p : tree) {
                Optional<Duration> spent = p.info().totalCpuDuration();
                if (spent.isPresent()) {
                    read.add(p.pid());
                    nanos += spent.get().toNanos();
                }
            }
            // One ended (a process of the sandbox's start, say): the others count on, and the tree is looked up again next time.
            ended |= tree.stream().anyMatch(p -> !p.isAlive());
            if (!read.isEmpty() && read.getFirst() == worker.pid()) {
                add(series.computeIfAbsent(List.of(worker.app(), worker.revision(), worker.service()), k -> Series.since(tree.getFirst(), now)),
                        now, read, nanos);
            }
        }
        Instant oldest = now.minus(KEPT);
        series.values().removeIf(s -> s.trim(oldest));
        host.trim(oldest);
        platform.trim(oldest);
    }

    /**
     * Adds what {@code processes} spent until {@code at}, in ns. When one read last time is not among
     * them, or they spent less (one ended), its CPU time went with it; when one read before comes
     * back, its time was counted already: that sample adds nothing. One that joins adds what it
     * spent since it started, all in this sample's interval (a sandbox's JVM found at a lookup up to
     * {@link #RESCAN} samples after it started).
     */
    private static void add(Series s, Instant at, List<Long> processes, long nanos) {
        boolean back = processes.stream().anyMatch(p -> s.seen.contains(p) && !s.processes.contains(p));
        if (!processes.containsAll(s.processes) || back || nanos < s.read) {
            s.base = s.samples.isEmpty() ? -nanos : s.samples.peekLast().nanos() - nanos;
        }
        s.seen.addAll(processes);
        s.processes = processes;
        s.read = nanos;
        s.samples.addLast(new Sample(at, s.base + nanos));
    }

    /** The processes of each of {@code running}: the worker's own, then those under it (its sandbox's JVM). */
    private static Map<Long, List<ProcessHandle>> trees(List<Workers.Running> running) {
        Map<Long, List<ProcessHandle>> children = new HashMap<>();
        ProcessHandle.allProcesses().forEach(p -> p.parent().ifPresent(parent -> children.computeIfAbsent(parent.pid(), k -> new ArrayList<>()).add(p)));
        Map<Long, List<ProcessHandle>> trees = new HashMap<>();
        for (Workers.Running worker : running) {
            List<ProcessHandle> tree = new ArrayList<>();
            ProcessHandle.of(worker.pid()).ifPresent(tree::add);
            // A sandbox holds a JVM, under one or two processes of its own: more is no worker's.
            for (int i = 0; i < tree.size() && tree.size() < 16; i++) {
                tree.addAll(children.getOrDefault(tree.get(i).pid(), List.of()));
            }
            // A worker whose process is gone is kept with none: it is not looked for again every second.
            trees.put(worker.pid(), List.copyOf(tree));
        }
        return trees;
    }

    /**
     * What the workers of {@code revision} of {@code app}, the control plane and the host used
     * between {@code from} and {@code to}, widened to the samples around them (the last one at or
     * before {@code from}, the first one at or after {@code to}, or the newest); a worker's begin at
     * its process's start, when it had spent nothing. A worker not sampled yet (started less than
     * {@link #PERIOD} ago) is left out.
     *
     * @return empty when no two samples span it
     */
    public synchronized Optional<Usage> usage(String app, String revision, Instant from, Instant to) {
        Optional<Span> host = span(this.host, from, to);
        if (host.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Double> services = new TreeMap<>();
        series.forEach((key, s) -> {
            if (key.get(0).equals(app) && key.get(1).equals(revision)) {
                span(s, from, to).ifPresent(used -> services.put(key.get(2), used.cores()));
            }
        });
        Span sampled = host.get();
        // Samples reach back an hour, and to the control plane's start; the next one after the window may be yet to come.
        long asked = Duration.between(from, to).toNanos();
        Instant start = sampled.first().at().isAfter(from) ? sampled.first().at() : from;
        double coverage = asked <= 0 ? 1 : Math.max(0, Math.min(1, Duration.between(start, to).toNanos() / (double) asked));
        return Optional.of(new Usage(sampled.seconds(), coverage, cores, sampled.cores(), span(platform, from, to).map(Span::cores).orElse(0.0),
                services));
    }

    /** Two samples of one series: what was spent between them. */
    private record Span(Sample first, Sample last) {

        double seconds() {
            return Duration.between(first.at(), last.at()).toNanos() / 1e9;
        }

        /** The CPU spent between them a second: the cores used. */
        double cores() {
            return (last.nanos() - first.nanos()) / 1e9 / seconds();
        }
    }

    /** The samples of {@code s} that span {@code from} to {@code to}; empty when there are no two. */
    private static Optional<Span> span(Series s, Instant from, Instant to) {
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
        return first == null || !last.at().isAfter(first.at()) ? Optional.empty() : Optional.of(new Span(first, last));
    }

    @Override
    public void close() {
        closed.countDown();
    }
}
