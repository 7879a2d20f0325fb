package dev.nanolith.runtime.deadline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WatchdogTest {

    @Test
    void anAlarmArmedAfterALaterOneFiresAtItsOwnDeadline() throws Exception {
        // Sweeps a minute apart: only the new alarm's waking the watchdog fires it in time.
        try (Watchdog watchdog = new Watchdog(Duration.ofMinutes(1).toNanos())) {
            Watchdog.Alarm late = watchdog.arm(Thread.currentThread(), System.nanoTime() + Duration.ofMinutes(1).toNanos());
            Thread.sleep(20);
            long armed = System.nanoTime();
            Watchdog.Alarm soon = watchdog.arm(Thread.currentThread(), armed + TimeUnit.MILLISECONDS.toNanos(30));
            long slept = sleepUntilInterrupted(Duration.ofSeconds(5));
            assertFalse(soon.disarm(), "the alarm fired");
            assertTrue(slept >= TimeUnit.MILLISECONDS.toNanos(30), "not before its deadline: " + slept / 1e6 + " ms");
            assertTrue(late.disarm(), "the later alarm is still armed, and disarmed in time");
        }
    }

    @Test
    void aDisarmedAlarmNeverFiresAndAnIdleWatchdogWakesForTheNextOne() throws Exception {
        try (Watchdog watchdog = new Watchdog()) {
            Watchdog.Alarm ended = watchdog.arm(Thread.currentThread(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20));
            assertTrue(ended.disarm());
            Thread.sleep(Duration.ofNanos(2 * Watchdog.SWEEP_NANOS));
            assertFalse(Thread.interrupted(), "a disarmed alarm does not interrupt");
            // Every alarm is gone by now, so the watchdog sleeps until one is armed.
            Watchdog.Alarm next = watchdog.arm(Thread.currentThread(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10));
            sleepUntilInterrupted(Duration.ofSeconds(5));
            assertFalse(next.disarm());
        }
    }

    /** How long this thread slept until it was interrupted; fails if it was not within {@code most}. */
    private static long sleepUntilInterrupted(Duration most) {
        long start = System.nanoTime();
        try {
            Thread.sleep(most);
        } catch (InterruptedException e) {
            return System.nanoTime() - start;
        }
        throw new AssertionError("not interrupted within " + most);
    }
}
