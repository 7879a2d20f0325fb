package dev.nanolith.runtime.observe;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.nanolith.runtime.Call;
import java.io.IOException;
import java.io.UncheckedIOException;
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

    /** Activation records as JSON: the form they travel in, and the admin API's. */
    public static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** How many records one answer to the control plane carries at most; it asks again while answers are full. */
    public static final int TAKEN = 500;

    /** How many ended calls wait at most to be taken. */
    public static final int CAPACITY = 20_000;

    private final ArrayBlockingQueue<Call> ended;
    private final Counter dropped;
    /** Where {@link System#nanoTime()} stands against the wall clock, to tell when a call started. */
    private final long epochNanos = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()) - System.nanoTime();

    private final String service;

    /** @param service the service of this process: the service of its copies of library functions' calls */
    public Activations(MeterRegistry registry, int capacity, String service) {
        this.ended = new ArrayBlockingQueue<>(capacity);
        this.service = service;
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
            records.add(call.activation(Instant.ofEpochSecond(0, call.started() + epochNanos), service));
        }
        return records;
    }

    /** {@link #take} as a JSON array: how a worker hands its records to the control plane. */
    public byte[] takeJson(int max) {
        try {
            return JSON.writeValueAsBytes(take(max));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The records of a JSON array that {@link #takeJson} wrote. */
    public static List<Activation> read(byte[] json) {
        try {
            return JSON.readValue(json, new TypeReference<List<Activation>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("activation records that cannot be read: " + e.getMessage(), e);
        }
    }
}
