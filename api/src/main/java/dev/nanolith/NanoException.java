package dev.nanolith;

/**
 * Why a call to another function did not return a value. The same exceptions are thrown
 * whether the callee runs in this process or in another.
 */
public abstract sealed class NanoException extends RuntimeException
        permits NoSuchFunctionException, BadInputException, DeadlineExceededException, FunctionFailedException,
        ServiceUnavailableException {

    private final String function;

    NanoException(String function, String message, Throwable cause) {
        super(message, cause);
        this.function = function;
    }

    /** The function that was called. */
    public String function() {
        return function;
    }
}
