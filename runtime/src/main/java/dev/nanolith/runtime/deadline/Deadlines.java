package dev.nanolith.runtime.deadline;

import dev.nanolith.DeadlineExceededException;
import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.Invoker;
import dev.nanolith.runtime.Stage;

/**
 * Enforces each function's timeout as a deadline carried down the call chain: a nested call
 * gets the earlier of its caller's deadline and its own, and runs on the caller's thread. Only a
 * call whose own deadline is the earlier one arms the watchdog, which interrupts the thread when
 * the deadline passes; a function that ignores interruption runs on, but its result is dropped.
 */
public final class Deadlines implements Stage {

    private final Watchdog watchdog;

    public Deadlines(Watchdog watchdog) {
        this.watchdog = watchdog;
    }

    @Override
    public Invoker wrap(FunctionSpec function, Invoker next) {
        long timeout = function.timeout().toNanos();
        return (input, call) -> {
            long now = call.started();
            long inherited = call.deadline();
            if (inherited - now <= 0) {
                throw new DeadlineExceededException(function.name(), function.timeout());
            }
            long own = now + timeout;
            if (own - inherited >= 0) {
                return next.invoke(input, call);
            }
            call.deadline(own);
            Watchdog.Alarm alarm = watchdog.arm(Thread.currentThread(), own);
            Object output;
            try {
                output = next.invoke(input, call);
            } catch (RuntimeException | Error e) {
                if (alarm.disarm()) {
                    throw e;
                }
                throw new DeadlineExceededException(function.name(), function.timeout());
            }
            if (!alarm.disarm()) {
                throw new DeadlineExceededException(function.name(), function.timeout());
            }
            return output;
        };
    }
}
