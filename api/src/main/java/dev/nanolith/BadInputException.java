package dev.nanolith;

/** The input does not fit the called function's input type; the message names the field. */
public final class BadInputException extends NanoException {

    public BadInputException(String function, String message, Throwable cause) {
        super(function, message, cause);
    }
}
