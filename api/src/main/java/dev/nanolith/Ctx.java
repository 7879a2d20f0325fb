package dev.nanolith;

import java.lang.System.Logger;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;

/**
 * What a function sees of the platform during one call.
 *
 * <p>Calls to other functions ({@link Functions}) look the same wherever the callee runs: in
 * this process, objects are passed as they are; in another, the platform carries them. A nested
 * call inherits this call's deadline.
 */
public interface Ctx extends Functions {

    /** Who called this function. */
    Caller caller();

    /** This function's name, such as {@code checkout.verify-items}. */
    String function();

    /** This function's settings from {@code nanolith.yaml} ({@code functions.<name>.config}). */
    Map<String, String> config();

    /** One setting of this function; fails with a message naming the key when it is not set. */
    String config(String key);

    /**
     * A secret declared for this function ({@code functions.<name>.secrets}); no other
     * function can read it. Read it on each call rather than keeping it: a value set anew
     * ({@code ./nanolith secrets set}) takes effect without a push.
     *
     * @throws IllegalStateException when the function declares no secret of that name, or it is not set
     */
    String secret(String name);

    /**
     * An HTTP client for external APIs, whose requests get the platform's standard error handler, as
     * calls between functions do, under this function's {@code hosts:} policies in
     * {@code nanolith.yaml}:
     * <ul>
     * <li>each request's timeout is at most the time this call has left;
     * <li>429, and 503 with {@code Retry-After}, are waited out (up to {@code rate-limited.max-wait});
     * <li>a connection that fails, and a 408, are made again with back-off;
     * <li>a 502, 503 or 504, another 5xx (but 501, 505, 511), a timeout or an I/O failure is made again only when the
     *     request is idempotent: its method is (GET, HEAD, OPTIONS, TRACE, PUT, DELETE), or it carries an
     *     {@code Idempotency-Key} header; its body is then sent again;
     * <li>each host may have a circuit breaker: while it is open, {@code send} throws {@link RefusedException}
     *     ({@code 503 circuit-open}) at once.
     * </ul>
     * The response returned is the last attempt's, whatever its status; when no attempt got one,
     * {@code send} throws what the last one did. Every host is an edge in the platform's metrics.
     * Get the client on each call, as it carries this call's deadline; the platform owns the
     * connections, and closing it does nothing. A request made again sends its body again: give one
     * of a known length (a stream's is not made again once it went).
     *
     * @throws UnsupportedOperationException from a context the platform did not make, such as a test's own
     */
    default HttpClient http() {
        throw new UnsupportedOperationException("this context makes no requests: ctx.http() is the platform's");
    }

    /** Time left until this call's deadline; pass it on to clients that block. */
    Duration remaining();

    /** A logger named after this function. */
    Logger log();
}
