package dev.nanolith.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * The calls in flight on a revision, and what to close once it no longer serves and they have
 * ended: its closeable functions in a worker, its workers in the control plane.
 */
public final class Drain {

    private static final System.Logger LOG = System.getLogger(Drain.class.getName());

    private final LongAdder inFlight = new LongAdder();
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    private volatile boolean draining;

    /**
     * Counts a call that starts; its end is {@link #exit}. Once draining has started, nothing is
     * counted and it answers false: what it guards may be closing, and the call belongs elsewhere.
     */
    public boolean enter() {
        inFlight.increment();
        // Set before the drain reads the count, read after this call is counted: one of the two sees the other.
        if (draining) {
            inFlight.decrement();
            return false;
        }
        return true;
    }

    public void exit() {
        inFlight.decrement();
    }

    /** Closes {@code resource} once drained, after those given before it. */
    public void closeWhenDrained(AutoCloseable resource) {
        resources.add(resource);
    }

    /**
     * Waits, on a virtual thread, for the calls in flight to end, then closes every resource
     * (a failure is logged, and the next is closed all the same) and runs {@code after}.
     */
    public Thread start(String what, Runnable after) {
        draining = true;
        return Thread.ofVirtual().name("retire " + what).start(() -> {
            try {
                while (inFlight.sum() > 0) {
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                return;
            }
            for (AutoCloseable resource : resources) {
                try {
                    resource.close();
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.WARNING, "retiring " + what + " failed", e);
                }
            }
            after.run();
        });
    }
}
