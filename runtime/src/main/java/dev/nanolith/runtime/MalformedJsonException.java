package dev.nanolith.runtime;

/**
 * A request's body is not JSON at all, as opposed to JSON that does not fit the input
 * ({@link dev.nanolith.BadInputException}); the message says where it goes wrong and what was expected.
 */
public final class MalformedJsonException extends RuntimeException {

    public MalformedJsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
