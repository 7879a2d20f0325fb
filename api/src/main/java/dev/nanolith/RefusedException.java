package dev.nanolith;

import java.time.Duration;
import java.util.Optional;

/**
 * A function's deliberate "no": the request cannot be served as asked, and the caller may be
 * told why. Unlike any other exception a function throws, its message reaches the client, with
 * an HTTP status of 4xx, or 503 when the function cannot serve for now. Callers of the function
 * receive it as it is. A refusal says nothing was done: callers may wait out a 503's
 * {@code Retry-After} and call again. A function that lets the refusal of a function it called
 * escape says the same of itself, so it undoes what it did first (as the shop's checkout puts
 * reserved items back).
 */
public final class RefusedException extends RuntimeException {

    private final int status;
    private final String code;
    private final Duration retryAfter;

    private RefusedException(int status, String code, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    /**
     * A refusal with any 4xx status, such as 402 for a declined payment.
     *
     * @throws IllegalArgumentException if {@code status} is not a client error
     */
    public static RefusedException withStatus(int status, String code, String message) {
        if (status < 400 || status > 499) {
            throw new IllegalArgumentException("a refusal's status is a client error (400-499), not " + status);
        }
        return new RefusedException(status, code, message, null);
    }

    /** The input is well-formed but not acceptable (HTTP 422), e.g. an address outside the shipping area. */
    public static RefusedException invalid(String code, String message) {
        return new RefusedException(422, code, message, null);
    }

    /** What was asked for does not exist (HTTP 404). */
    public static RefusedException notFound(String code, String message) {
        return new RefusedException(404, code, message, null);
    }

    /** The request conflicts with the current state (HTTP 409), e.g. an item sold out. */
    public static RefusedException conflict(String code, String message) {
        return new RefusedException(409, code, message, null);
    }

    /** The function cannot serve for now; the caller may try again after {@code retryAfter} (HTTP 503). */
    public static RefusedException unavailable(String code, String message, Duration retryAfter) {
        return new RefusedException(503, code, message, retryAfter);
    }

    /** The HTTP status the gateway answers with. */
    public int status() {
        return status;
    }

    /** A short, stable, machine-readable reason, such as {@code out-of-stock}. */
    public String code() {
        return code;
    }

    /** When to try again, for a function that is unavailable for now. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
