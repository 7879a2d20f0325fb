package dev.nanolith.runtime.external;

import dev.nanolith.runtime.resilience.Classified;
import dev.nanolith.runtime.resilience.Failure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * One request to an external host, made once or more through its guard, and how each attempt
 * failed. A request is classified by its answer as the platform classifies calls between functions
 * ({@link Failure}):
 * <ul>
 * <li>429, or 503 with {@code Retry-After}: rate-limited;
 * <li>a connection that could not be made: transient (nothing was sent);
 * <li>503 without {@code Retry-After}: transient (RFC 9110 §15.6.4: the server did not handle it);
 * <li>502 and 504: transient when the request is idempotent; otherwise an unknown outcome, as a
 *     gateway's error may follow a request the origin acted on;
 * <li>any other 5xx, a timeout or an I/O failure once the request may have gone: an unknown
 *     outcome, made again only when the request is idempotent;
 * <li>anything else is the host's answer, for the function to read.
 * </ul>
 * A request is idempotent when its method is (RFC 9110 §9.2.2) or it carries an
 * {@code Idempotency-Key} (the IETF draft of that name, as Stripe's API takes it).
 */
final class Exchange<T> {

    private static final Set<String> IDEMPOTENT_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    private final String origin;
    private final HttpRequest request;
    private final HttpResponse.BodyHandler<T> handler;
    private final HttpResponse.PushPromiseHandler<T> push;
    private final boolean idempotent;
    /** The last attempt's answer, which the next attempt lets go of. */
    private HttpResponse<T> answered;

    Exchange(String origin, HttpRequest request, HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> push) {
        this.origin = origin;
        this.request = request;
        this.handler = handler;
        this.push = push;
        this.idempotent = IDEMPOTENT_METHODS.contains(request.method()) || request.headers().firstValue("Idempotency-Key").isPresent();
    }

    /**
     * How a request to a host failed: with an answer the function gets if no attempt does better, or
     * with what the JDK's client threw.
     */
    static final class Failed extends RuntimeException implements Classified {
        private final transient Failure failure;
        private final transient Optional<Duration> retryAfter;
        private final boolean idempotent;
        private final transient HttpResponse<?> response;

        Failed(String message, Failure failure, Optional<Duration> retryAfter, boolean idempotent, HttpResponse<?> response, Exception cause) {
            super(message, cause, false, false);
            this.failure = failure;
            this.retryAfter = retryAfter;
            this.idempotent = idempotent;
            this.response = response;
        }

        @Override
        public Failure failure() {
            return failure;
        }

        @Override
        public Optional<Duration> retryAfter() {
            return retryAfter;
        }

        @Override
        public boolean idempotent() {
            return idempotent;
        }
    }

    /** Makes attempt {@code tries} of {@code exchange} within {@code deadline}, in {@link System#nanoTime()} terms. */
    static Object attempt(Object exchange, HttpClient client, long deadline, int tries) {
        return ((Exchange<?>) exchange).attempt(client, deadline);
    }

    private HttpResponse<T> attempt(HttpClient client, long deadline) {
        letGo();
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            // The call's own time is up: not the host's failure, and not worth another attempt.
            throw failed(Failure.PERMANENT, new HttpTimeoutException("the call's deadline passed before the request to " + origin + " went"));
        }
        Duration timeout = Duration.ofNanos(left);
        HttpRequest timed = HttpRequest.newBuilder(request, (name, value) -> true)
                .timeout(request.timeout().filter(own -> own.compareTo(timeout) < 0).orElse(timeout)).build();
        HttpResponse<T> response;
        try {
            response = push == null ? client.send(timed, handler) : client.sendAsync(timed, handler, push).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? failed(io) : failed(Failure.PERMANENT, e);
        } catch (IOException e) {
            throw failed(e);
        } catch (InterruptedException e) {
            throw failed(Failure.PERMANENT, e);
        } catch (RuntimeException e) {
            throw failed(Failure.PERMANENT, e);
        }
        int status = response.statusCode();
        Optional<Duration> after = status == 429 || status == 503 ? retryAfter(response) : Optional.empty();
        Failure kind;
        if (status == 429 || status == 503 && after.isPresent()) {
            kind = Failure.RATE_LIMITED;
        } else if (status == 503 || (status == 502 || status == 504) && idempotent) {
            kind = Failure.TRANSIENT;
        } else if (status >= 500 && status < 600) {
            kind = Failure.UNKNOWN_OUTCOME;
        } else {
            return response;
        }
        answered = response;
        throw new Failed("HTTP " + status + " from " + origin, kind, after, idempotent, response, null);
    }

    /** What the request ends with when no attempt succeeded: the last answer, or what the client threw. */
    @SuppressWarnings("unchecked")
    HttpResponse<T> end(Failed failed) throws IOException, InterruptedException {
        if (failed.response != null) {
            return (HttpResponse<T>) failed.response;
        }
        switch (failed.getCause()) {
            case IOException e -> throw e;
            case InterruptedException e -> throw e;
            case ExecutionException e -> throw new IOException(e.getCause());
            case RuntimeException e -> throw e;
            default -> throw new IllegalStateException(failed.getCause());
        }
    }

    private Failed failed(IOException e) {
        // A connection not made sent nothing: the request may go again whatever it is.
        Failure kind = e instanceof ConnectException || e instanceof HttpConnectTimeoutException ? Failure.TRANSIENT : Failure.UNKNOWN_OUTCOME;
        return failed(kind, e);
    }

    private Failed failed(Failure kind, Exception cause) {
        String said = cause.getMessage() == null ? "" : ": " + cause.getMessage();
        return new Failed(cause.getClass().getSimpleName() + " from " + origin + said, kind, Optional.empty(), idempotent, null, cause);
    }

    /** Closes the body of an answer no longer kept, so that its connection goes back to the pool. */
    private void letGo() {
        if (answered != null && answered.body() instanceof AutoCloseable body) {
            try {
                body.close();
            } catch (Exception e) {
                // the connection is the client's to drop
            }
        }
        answered = null;
    }

    /**
     * The wait a {@code Retry-After} asks for: seconds, or an HTTP date (RFC 9110 §10.2.3); empty when
     * there is none or it cannot be read.
     */
    static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(value -> {
            String text = value.strip();
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(text))));
            } catch (NumberFormatException e) {
                try {
                    Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                    Duration wait = Duration.between(Instant.now(), at);
                    return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
                } catch (DateTimeParseException unreadable) {
                    return Optional.empty();
                }
            }
        });
    }
}
