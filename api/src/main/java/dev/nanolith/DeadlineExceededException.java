package dev.nanolith;

import java.time.Duration;

/** The call's deadline passed before the function returned; its result, if any, is dropped. */
public final class DeadlineExceededException extends NanoException {

    private final Duration timeout;

    public DeadlineExceededException(String function, Duration timeout) {
        super(function, "'" + function + "' did not finish within " + timeout.toMillis() + " ms", null);
        this.timeout = timeout;
    }

    /** The timeout that passed: the function's own, or that of a caller whose deadline it inherited. */
    public Duration timeout() {
        return timeout;
    }
}
