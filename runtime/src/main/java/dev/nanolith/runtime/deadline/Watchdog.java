package dev.nanolith.runtime.deadline;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Interrupts a thread whose call has outlived its own deadline. Only calls whose timeout is
 * tighter than the deadline they inherit need one, so most calls never touch it.
 */
public final class Watchdog implements AutoCloseable {

    private final ScheduledThreadPoolExecutor timer;

    public Watchdog() {
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "nanolith-watchdog");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /** Arms an alarm that interrupts {@code thread} after {@code nanos}. */
    Alarm arm(Thread thread, long nanos) {
        Alarm alarm = new Alarm(thread);
        alarm.future = timer.schedule(alarm, nanos, TimeUnit.NANOSECONDS);
        return alarm;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** One armed deadline; either the call disarms it or it fires, never both. */
    static final class Alarm implements Runnable {
        private static final int ARMED = 0, DISARMED = 1, FIRED = 2;
        private final AtomicInteger state = new AtomicInteger(ARMED);
        private final Thread thread;
        private ScheduledFuture<?> future;

        Alarm(Thread thread) {
            this.thread = thread;
        }

        @Override
        public void run() {
            if (state.compareAndSet(ARMED, FIRED)) {
                thread.interrupt();
            }
        }

        /** True if the call ended in time; false if the alarm fired (its interrupt is then cleared). */
        boolean disarm() {
            if (state.compareAndSet(ARMED, DISARMED)) {
                future.cancel(false);
                return true;
            }
            Thread.interrupted();
            return false;
        }
    }
}
