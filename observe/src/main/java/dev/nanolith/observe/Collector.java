package dev.nanolith.observe;

import dev.nanolith.runtime.Router;
import dev.nanolith.runtime.dispatch.WireClient;
import dev.nanolith.runtime.observe.Activation;
import dev.nanolith.runtime.observe.Activations;
import dev.nanolith.runtime.placement.Deployment;
import dev.nanolith.runtime.placement.Endpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Gathers activation records into the store: every {@link #PERIOD} it takes those the serving
 * workers made since it last asked (and a retiring deployment's, before its workers stop: {@link #retiring}) and
 * those of the control plane itself — calls the gateway refused or could not deliver — writes
 * them in one batch, and sends them as spans where an OTLP endpoint is configured. It applies the
 * retention every {@link #RETENTION_PERIOD}. Records that cannot be written are dropped, and
 * counted in {@code nanolith_activations_dropped_total}: the calls never wait for the store.
 */
public final class Collector implements AutoCloseable {

    /** How often the workers are asked for their records. */
    public static final Duration PERIOD = Duration.ofMillis(250);

    /** How often old records are deleted. */
    static final Duration RETENTION_PERIOD = Duration.ofSeconds(10);

    private static final System.Logger LOG = System.getLogger(Collector.class.getName());

    /**
     * How many records are kept, and for how long.
     *
     * @param maxCount the newest records kept; older ones are deleted
     * @param maxAge   how long a record is kept at most
     */
    public record Retention(long maxCount, Duration maxAge) {

        /** A hundred thousand records, for at most seven days. */
        public static final Retention DEFAULT = new Retention(100_000, Duration.ofDays(7));
    }

    private final Router router;
    private final WireClient wire;
    private final ActivationStore store;
    private final SpanExport export;
    private final Retention retention;
    private final Clock clock;
    private final ArrayBlockingQueue<Activation> own = new ArrayBlockingQueue<>(Activations.CAPACITY);
    private final Counter dropped;
    /** Counted down at close: the collecting thread waits on it between rounds, never interrupted amid a write. */
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Thread thread;
    private Instant retained = Instant.EPOCH;
    private Instant warned = Instant.EPOCH;

    /**
     * Starts collecting.
     *
     * @param export where spans go, or null
     */
    public Collector(Router router, WireClient wire, ActivationStore store, SpanExport export, Retention retention, MeterRegistry registry,
                     Clock clock) {
        this.router = router;
        this.wire = wire;
        this.store = store;
        this.export = export;
        this.retention = retention;
        this.clock = clock;
        this.dropped = Counter.builder("nanolith.activations.dropped")
                .description("Activation records not kept because their buffer was full: recording gives way under overload")
                .tag("service", "control-plane")
                .register(registry);
        this.thread = Thread.ofPlatform().daemon().name("nanolith-activations").start(this::run);
    }

    /** Keeps a record the control plane made (a call the gateway refused, or could not deliver); counts it as dropped when there is no room. */
    public void record(Activation activation) {
        if (!own.offer(activation)) {
            dropped.increment();
        }
    }

    private void run() {
        try {
            while (!closing.await(PERIOD.toMillis(), TimeUnit.MILLISECONDS)) {
                try {
                    collect();
                } catch (RuntimeException e) {
                    warn("collecting activation records failed: " + e);
                }
            }
        } catch (InterruptedException e) {
            // the platform's JVM ends
        }
    }

    /** Takes every record there is now into the store; how many. Searches call it first, so that they see the latest calls. */
    public synchronized int collect() {
        List<Activation> batch = new ArrayList<>();
        own.drainTo(batch);
        batch.addAll(take(router.deployments()));
        store(batch);
        Instant now = clock.instant();
        if (Duration.between(retained, now).compareTo(RETENTION_PERIOD) >= 0) {
            retained = now;
            try {
                store.retain(retention.maxCount(), retention.maxAge(), now);
            } catch (SQLException e) {
                warn("old activation records could not be deleted: " + e.getMessage());
            }
        }
        return batch.size();
    }

    /** Takes what the workers of {@code deployment}, which retires, still hold, before they stop. */
    public void retiring(Deployment deployment) {
        store(take(List.of(deployment)));
    }

    /**
     * Every record the workers of {@code deployments} hold, asked all at once; a worker that does not
     * answer within two seconds keeps its own until next time. A worker's records name its own app
     * and one of its app's services (a call that never left it names its callee's), or they are
     * dropped: the worker runs an app's code, and the control plane believes no more of it than the
     * wire proves.
     */
    private List<Activation> take(Collection<Deployment> deployments) {
        List<Activation> taken = new ArrayList<>();
        wire.askEvery(deployments, Duration.ofSeconds(2), this::take).forEach(taken::addAll);
        return taken;
    }

    /** What the worker of {@code deployment}'s {@code service} holds: as many answers as its buffer can fill, at most. */
    private List<Activation> take(Deployment deployment, String service, Endpoint endpoint) {
        List<Activation> taken = new ArrayList<>();
        List<String> services = deployment.services();
        List<Activation> some;
        int rounds = 0;
        do {
            some = wire.activations(endpoint, deployment.app(), service);
            for (Activation a : some) {
                if (a.app().equals(deployment.app()) && services.contains(a.service())) {
                    taken.add(a);
                } else {
                    dropped.increment();
                }
            }
        } while (some.size() >= Activations.TAKEN && ++rounds < Activations.CAPACITY / Activations.TAKEN);
        return taken;
    }

    private synchronized void store(List<Activation> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            int kept = store.add(batch);
            if (kept < batch.size()) {
                dropped.increment(batch.size() - kept);
                warn((batch.size() - kept) + " activation records were refused by the store at " + store.database());
            }
        } catch (SQLException e) {
            dropped.increment(batch.size());
            warn(batch.size() + " activation records were dropped: the store at " + store.database() + " failed: " + e.getMessage());
        }
        if (export != null) {
            export.export(batch, () -> warn(batch.size() + " spans were not taken by the OTLP endpoint"));
        }
    }

    /** Logs {@code problem}, at most once a minute: a store that is down fails every batch. */
    private synchronized void warn(String problem) {
        Instant now = clock.instant();
        if (Duration.between(warned, now).toMinutes() >= 1) {
            warned = now;
            LOG.log(System.Logger.Level.WARNING, problem);
        }
    }

    /** Stops collecting, after taking what the workers still hold. */
    @Override
    public void close() {
        closing.countDown();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        collect();
    }
}
