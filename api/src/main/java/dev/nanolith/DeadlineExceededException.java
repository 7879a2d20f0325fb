package dev.nanolith;

import java.time.Duration;

/** The call's deadline passed before the function returned; its result, if any, is dropped. */
public final class DeadlineExceededException extends NanoException {

    public DeadlineExceededException(String function, Duration timeout) {
        super(function, "'" + function + "' did not finish within " + timeout.toMillis() + " ms", null);
    }
}
