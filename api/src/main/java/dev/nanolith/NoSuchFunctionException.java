package dev.nanolith;

/** The called function is not deployed. */
public final class NoSuchFunctionException extends NanoException {

    public NoSuchFunctionException(String function) {
        super(function, "no function named '" + function + "' is deployed", null);
    }
}
