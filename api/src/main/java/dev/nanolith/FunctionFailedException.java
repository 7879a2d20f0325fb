package dev.nanolith;

/**
 * The called function threw. The error id is logged with the cause, so a caller can report
 * the id without revealing the failure's details.
 */
public final class FunctionFailedException extends NanoException {

    private final String errorId;

    public FunctionFailedException(String function, String errorId, Throwable cause) {
        super(function, "'" + function + "' failed (error id " + errorId + ")", cause);
        this.errorId = errorId;
    }

    /** The id under which the failure is logged. */
    public String errorId() {
        return errorId;
    }
}
