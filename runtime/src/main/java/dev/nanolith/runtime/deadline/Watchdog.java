package dev.nanolith.runtime.deadline;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Interrupts threads whose call has outlived its deadline. Arming and disarming touch only a
 * concurrent set, no lock shared by all calls; one daemon thread looks at the armed calls every
 * {@link #TICK_NANOS}, so a deadline is enforced within a few milliseconds of its time.
 */
public final class Watchdog implements AutoCloseable {

    /** How often armed calls are looked at: deadlines are kept to within this. */
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final Set<Alarm> armed = ConcurrentHashMap.newKeySet();
    private final Thread ticker;
    private volatile boolean closed;

    public Watchdog() {
        ticker = Thread.ofPlatform().name("nanolith-watchdog").daemon().start(this::tick);
    }

    /** Arms an alarm that interrupts {@code thread} once {@code System.nanoTime()} passes {@code deadline}. */
    Alarm arm(Thread thread, long deadline) {
        Alarm alarm = new Alarm(this, thread, deadline);
        armed.add(alarm);
        return alarm;
    }

    private void tick() {
        while (!closed) {
            LockSupport.parkNanos(TICK_NANOS);
            long now = System.nanoTime();
            for (Alarm alarm : armed) {
                if (now - alarm.deadline >= 0) {
                    alarm.fire();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(ticker);
    }

    /** One armed deadline; either the call disarms it or it fires, never both. */
    static final class Alarm {
        private static final int ARMED = 0, DISARMED = 1, FIRED = 2;
        private final AtomicInteger state = new AtomicInteger(ARMED);
        private final Watchdog owner;
        private final Thread thread;
        private final long deadline;

        Alarm(Watchdog owner, Thread thread, long deadline) {
            this.owner = owner;
            this.thread = thread;
            this.deadline = deadline;
        }

        private void fire() {
            if (state.compareAndSet(ARMED, FIRED)) {
                owner.armed.remove(this);
                thread.interrupt();
            }
        }

        /** True if the call ended in time; false if the alarm fired (its interrupt is then cleared). */
        boolean disarm() {
            if (state.compareAndSet(ARMED, DISARMED)) {
                owner.armed.remove(this);
                return true;
            }
            Thread.interrupted();
            return false;
        }
    }
}
