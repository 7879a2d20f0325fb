package dev.nanolith.runtime.deadline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Interrupts threads whose call has outlived its deadline. Arming appends to a lock-free queue
 * and disarming flips the alarm's state, so a call shares no lock with other calls; one daemon
 * thread takes in the new alarms and looks at the armed ones every {@link #TICK_NANOS}, so a
 * deadline is enforced within a few milliseconds of its time. With no alarm armed the thread
 * sleeps until the next one: an idle process (one of many workers) costs no wake-ups.
 */
public final class Watchdog implements AutoCloseable {

    /** How often armed calls are looked at: deadlines are kept to within this. */
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final ConcurrentLinkedQueue<Alarm> incoming = new ConcurrentLinkedQueue<>();
    private final Thread ticker;
    private volatile boolean closed;
    private volatile boolean idle;

    public Watchdog() {
        ticker = Thread.ofPlatform().name("nanolith-watchdog").daemon().start(this::watch);
    }

    /** Arms an alarm that interrupts {@code thread} once {@code System.nanoTime()} passes {@code deadline}. */
    public Alarm arm(Thread thread, long deadline) {
        Alarm alarm = new Alarm(thread, deadline);
        incoming.add(alarm);
        if (idle) {
            LockSupport.unpark(ticker);
        }
        return alarm;
    }

    private void watch() {
        List<Alarm> watched = new ArrayList<>();
        while (!closed) {
            if (watched.isEmpty()) {
                idle = true;
                // Looked at again once idle is set: an alarm armed meanwhile either is seen here or unparks this thread.
                if (incoming.isEmpty() && !closed) {
                    LockSupport.park(this);
                }
                idle = false;
            } else {
                LockSupport.parkNanos(TICK_NANOS);
            }
            for (Alarm alarm; (alarm = incoming.poll()) != null; ) {
                watched.add(alarm);
            }
            long now = System.nanoTime();
            watched.removeIf(alarm -> alarm.get() != Alarm.ARMED || now - alarm.deadline >= 0 && alarm.fire());
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(ticker);
    }

    /** One armed deadline, whose value is its state: either the call disarms it or it fires, never both. */
    public static final class Alarm extends AtomicInteger {
        static final int ARMED = 0, DISARMED = 1, FIRED = 2;
        private final transient Thread thread;
        private final long deadline;

        Alarm(Thread thread, long deadline) {
            this.thread = thread;
            this.deadline = deadline;
        }

        private boolean fire() {
            if (compareAndSet(ARMED, FIRED)) {
                thread.interrupt();
            }
            return true;
        }

        /** True if the call ended in time; false if the alarm fired (its interrupt is then cleared). */
        public boolean disarm() {
            if (compareAndSet(ARMED, DISARMED)) {
                return true;
            }
            Thread.interrupted();
            return false;
        }
    }
}
