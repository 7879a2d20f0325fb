package dev.nanolith.runtime.deadline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Interrupts threads whose call has outlived its deadline. Arming appends to a lock-free queue
 * and disarming flips the alarm's state, so a call shares no lock with other calls. One daemon
 * thread takes in the new alarms and sleeps until the earliest deadline, or at most
 * {@link #SWEEP_NANOS}, when it drops the alarms whose calls ended; an alarm armed with an earlier
 * deadline than the one it sleeps to wakes it. A deadline is thus enforced as soon as the thread
 * wakes (within a millisecond on Linux), and a busy process costs a few wake-ups a second, an idle
 * one none.
 */
public final class Watchdog implements AutoCloseable {

    /** The longest the thread sleeps while alarms are armed: what the alarms of ended calls hold stays bounded. */
    static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ConcurrentLinkedQueue<Alarm> incoming = new ConcurrentLinkedQueue<>();
    private final Thread watcher;
    private final long sweepNanos;
    private volatile boolean closed;
    /** Whether the thread sleeps with no alarm armed; otherwise it wakes at {@link #wakeAt}, as {@code System.nanoTime()} gives it. */
    private volatile boolean idle;
    private volatile long wakeAt;

    public Watchdog() {
        this(SWEEP_NANOS);
    }

    /** A watchdog that sleeps at most {@code sweepNanos} while alarms are armed. */
    Watchdog(long sweepNanos) {
        this.sweepNanos = sweepNanos;
        watcher = Thread.ofPlatform().name("nanolith-watchdog").daemon().start(this::watch);
    }

    /** Arms an alarm that interrupts {@code thread} once {@code System.nanoTime()} passes {@code deadline}. */
    public Alarm arm(Thread thread, long deadline) {
        Alarm alarm = new Alarm(thread, deadline);
        incoming.add(alarm);
        if (idle || deadline - wakeAt < 0) {
            LockSupport.unpark(watcher);
        }
        return alarm;
    }

    private void watch() {
        List<Alarm> watched = new ArrayList<>();
        while (!closed) {
            for (Alarm alarm; (alarm = incoming.poll()) != null; ) {
                watched.add(alarm);
            }
            long now = System.nanoTime();
            watched.removeIf(alarm -> alarm.get() != Alarm.ARMED || now - alarm.deadline >= 0 && alarm.fire());
            long next = now + sweepNanos;
            for (Alarm alarm : watched) {
                if (alarm.deadline - next < 0) {
                    next = alarm.deadline;
                }
            }
            wakeAt = next;
            idle = watched.isEmpty();
            // Looked at again once both are set: an alarm armed meanwhile either is taken in now or wakes this thread.
            if (!incoming.isEmpty() || closed) {
                continue;
            }
            if (idle) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, next - now);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(watcher);
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
