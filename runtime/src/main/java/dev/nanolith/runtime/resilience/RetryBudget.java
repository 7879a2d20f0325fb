package dev.nanolith.runtime.resilience;

import java.util.concurrent.atomic.LongAdder;

/**
 * How many retries the calls of one function may still make, so that a failing callee is never
 * met with a storm of them: within each 10 s, retries may be at most a share of the calls made,
 * plus ten, so that a callee called rarely still gets its few (as Finagle's {@code RetryBudget}
 * and gRPC's retry throttling do). Counting a call costs one uncontended add.
 */
final class RetryBudget {

    private static final long WINDOW_NANOS = 10_000_000_000L;
    private static final int FLOOR = 10;

    private final double share;
    private final LongAdder calls = new LongAdder();
    private long windowStart = System.nanoTime();
    private long callsBefore;
    private int retries;

    /** @param share the share of calls that may be retries, 0 to 1 */
    RetryBudget(double share) {
        this.share = share;
    }

    /** Counts a call made (its first attempt). */
    void called() {
        calls.increment();
    }

    /** Takes one retry from the budget; false when none is left. */
    synchronized boolean retry() {
        long now = System.nanoTime();
        long total = calls.sum();
        if (now - windowStart > WINDOW_NANOS) {
            windowStart = now;
            callsBefore = total;
            retries = 0;
        }
        if (retries >= FLOOR + share * (total - callsBefore)) {
            return false;
        }
        retries++;
        return true;
    }
}
