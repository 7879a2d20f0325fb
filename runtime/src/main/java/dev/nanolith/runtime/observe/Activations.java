package dev.nanolith.runtime.observe;

import dev.nanolith.runtime.Call;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The calls of this process that ended and are not yet taken as activation records: a bounded
 * buffer that a call only adds to. When it is full, a call is not kept but counted, in
 * {@code nanolith_activations_dropped_total}: under overload, recording gives way, never the calls.
 */
public final class Activations {

    /** How many ended calls wait at most to be taken. */
    public static final int CAPACITY = 20_000;

    private final ArrayBlockingQueue<Call> ended;
    private final Counter dropped;
    /** Where {@link System#nanoTime()} stands against the wall clock, to tell when a call started. */
    private final long epochNanos = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()) - System.nanoTime();

    public Activations(MeterRegistry registry, int capacity) {
        this.ended = new ArrayBlockingQueue<>(capacity);
        this.dropped = Counter.builder("nanolith.activations.dropped")
                .description("Activation records not kept because their buffer was full: recording gives way under overload")
                .register(registry);
    }

    /** Keeps {@code call}, which ended, to be taken as a record; counts it as dropped when there is no room. */
    public void add(Call call) {
        if (!ended.offer(call)) {
            dropped.increment();
        }
    }

    /** The records of up to {@code max} calls that ended, oldest first, taken from the buffer. */
    public List<Activation> take(int max) {
        List<Call> calls = new ArrayList<>();
        ended.drainTo(calls, max);
        List<Activation> records = new ArrayList<>(calls.size());
        for (Call call : calls) {
            records.add(call.activation(Instant.ofEpochSecond(0, call.started() + epochNanos)));
        }
        return records;
    }
}
