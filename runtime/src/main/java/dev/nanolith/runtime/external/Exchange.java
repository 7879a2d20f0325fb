package dev.nanolith.runtime.external;

import dev.nanolith.runtime.resilience.Classified;
import dev.nanolith.runtime.resilience.Failure;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One request to an external host, made once or more through its guard, and how each attempt
 * failed. A request is classified by its answer as the platform classifies calls between functions
 * ({@link Failure}):
 * <ul>
 * <li>429, or 503 with {@code Retry-After}: rate-limited;
 * <li>a connection that could not be made, or 408 (RFC 9110 §15.5.9: the server did not get the
 *     whole request): transient;
 * <li>502, 503 and 504: transient when the request is idempotent; otherwise an unknown outcome, as
 *     a gateway's or a proxy's error may follow a request the origin acted on;
 * <li>any other 5xx but 501, 505 and 511 (which no retry mends), a timeout, or an I/O failure once
 *     the request may have gone: an unknown outcome, made again only when the request is idempotent;
 * <li>anything else is the host's answer, for the function to read.
 * </ul>
 * A request is idempotent when its method is (RFC 9110 §9.2.2) or it carries an
 * {@code Idempotency-Key} (the IETF draft of that name, as Stripe's API takes it). A request that
 * went is made again only when its body can be sent again: one of a known length (a stream's, of
 * unknown length, may be read once).
 */
final class Exchange<T> {

    private static final Set<String> IDEMPOTENT_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
    /** Statuses that say the same however often the request is made. */
    private static final Set<Integer> FINAL_5XX = Set.of(501, 505, 511);
    /** Less time than this left is no time for a request: the last answer stands. */
    private static final long MIN_ATTEMPT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** The three forms of an HTTP date a recipient reads (RFC 9110 §5.6.7): IMF-fixdate, RFC 850 and asctime. */
    private static final List<DateTimeFormatter> HTTP_DATES = List.of(DateTimeFormatter.RFC_1123_DATE_TIME,
            DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss zzz", Locale.US),
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC));

    private final String origin;
    private final HttpClient client;
    private final HttpRequest request;
    private final HttpResponse.BodyHandler<T> handler;
    private final HttpResponse.PushPromiseHandler<T> push;
    private final Timer edge;
    private final boolean idempotent;
    private final boolean replayable;
    /** The last attempt's failure, kept until a later attempt replaces it or the request ends with it. */
    private Failed last;

    Exchange(String origin, HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> handler,
             HttpResponse.PushPromiseHandler<T> push, Timer edge) {
        this.origin = origin;
        this.client = client;
        this.request = request;
        this.handler = handler;
        this.push = push;
        this.edge = edge;
        this.idempotent = IDEMPOTENT_METHODS.contains(request.method()) || request.headers().firstValue("Idempotency-Key").isPresent();
        this.replayable = request.bodyPublisher().map(body -> body.contentLength() >= 0).orElse(true);
    }

    /** How an attempt of a request to a host failed: with the host's answer, or with what the JDK's client threw. */
    static final class Failed extends RuntimeException implements Classified {
        private final transient Failure failure;
        private final transient Optional<Duration> retryAfter;
        private final boolean repeatable;
        private final transient HttpResponse<?> response;
        /** Whether it failed for want of time before it went: then the attempt before it, if any, is the outcome. */
        private final boolean outOfTime;

        private Failed(String message, Failure failure, Optional<Duration> retryAfter, boolean repeatable, HttpResponse<?> response,
                       Exception cause, boolean outOfTime) {
            super(message, cause, false, false);
            this.failure = failure;
            this.retryAfter = retryAfter;
            this.repeatable = repeatable;
            this.response = response;
            this.outOfTime = outOfTime;
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
        public boolean repeatable() {
            return repeatable;
        }
    }

    private Failed answered(Failure kind, Optional<Duration> after, HttpResponse<T> response) {
        return new Failed("HTTP " + response.statusCode() + " from " + origin, kind, after, repeatable(kind), response, null, false);
    }

    /** A failure the client threw; {@code sent}: whether the request may have gone. */
    private Failed threw(Failure kind, Exception cause, boolean sent) {
        String said = cause.getMessage() == null ? "" : ": " + cause.getMessage();
        return new Failed(cause.getClass().getSimpleName() + " from " + origin + said, kind, Optional.empty(), !sent || repeatable(kind), null,
                cause, false);
    }

    /** Whether a request that went, and failed so, may go again. */
    private boolean repeatable(Failure kind) {
        return replayable && (kind != Failure.UNKNOWN_OUTCOME || idempotent);
    }

    /** Makes one attempt within {@code deadline}, in {@link System#nanoTime()} terms: the host's answer, or a {@link Failed}. */
    HttpResponse<T> attempt(long deadline) {
        long left = deadline - System.nanoTime();
        if (left < MIN_ATTEMPT_NANOS) {
            // Not the host's failure, and not worth another attempt.
            throw new Failed("no time left for a request to " + origin, Failure.PERMANENT, Optional.empty(), false, null,
                    new HttpTimeoutException("the deadline of the call that got this client (ctx.http()) leaves no time for a request to "
                            + origin + " — a client is its call's: get it on each call"), true);
        }
        Duration timeout = Duration.ofNanos(left);
        HttpRequest timed = HttpRequest.newBuilder(request, (name, value) -> true)
                .timeout(request.timeout().filter(own -> own.compareTo(timeout) < 0).orElse(timeout)).build();
        HttpResponse<T> response;
        long start = System.nanoTime();
        try {
            response = push == null ? client.send(timed, handler) : pushed(timed);
        } catch (IOException e) {
            // A connection not made sent nothing: the request may go again whatever it is.
            boolean sent = !(e instanceof ConnectException || e instanceof HttpConnectTimeoutException);
            throw replace(threw(sent ? Failure.UNKNOWN_OUTCOME : Failure.TRANSIENT, e, sent));
        } catch (InterruptedException | RuntimeException e) {
            throw replace(threw(Failure.PERMANENT, e, true));
        } finally {
            edge.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
        int status = response.statusCode();
        Optional<Duration> after = status == 429 || status == 503 ? retryAfter(response) : Optional.empty();
        if (status == 429 || status == 503 && after.isPresent()) {
            throw replace(answered(Failure.RATE_LIMITED, after, response));
        }
        if (status == 408 || (status == 502 || status == 503 || status == 504) && idempotent) {
            throw replace(answered(Failure.TRANSIENT, after, response));
        }
        if (status >= 500 && status < 600 && !FINAL_5XX.contains(status)) {
            throw replace(answered(Failure.UNKNOWN_OUTCOME, after, response));
        }
        replace(null);
        return response;
    }

    /** Sends with {@code push}, as the JDK's {@code send} does without it: an interruption cancels the request. */
    private HttpResponse<T> pushed(HttpRequest timed) throws IOException, InterruptedException {
        Future<HttpResponse<T>> future = client.sendAsync(timed, handler, push);
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    /** Makes {@code failed} the last attempt's failure, letting go of the answer of the one before. */
    private Failed replace(Failed failed) {
        letGo();
        last = failed;
        return failed;
    }

    /**
     * What the request ends with when no attempt succeeded: the last answer the host gave, or what
     * the client threw. An attempt that found no time left leaves the one before it as the outcome.
     */
    @SuppressWarnings("unchecked")
    HttpResponse<T> end(Failed failed) throws IOException, InterruptedException {
        Failed outcome = failed.outOfTime && last != null ? last : failed;
        if (outcome.response != null) {
            // The function has it now: it is no longer this exchange's to close.
            last = null;
            return (HttpResponse<T>) outcome.response;
        }
        switch (outcome.getCause()) {
            case IOException e -> throw e;
            case InterruptedException e -> throw e;
            case RuntimeException e -> throw e;
            default -> throw new IllegalStateException(outcome.getCause());
        }
    }

    /** Closes the body of an answer that the function will not get, so that its connection goes back to the pool. */
    void letGo() {
        if (last != null && last.response != null && last.response.body() instanceof AutoCloseable body) {
            try {
                body.close();
            } catch (Exception e) {
                // the connection is the client's to drop
            }
        }
        last = null;
    }

    /**
     * The wait a {@code Retry-After} asks for: seconds, or an HTTP date (RFC 9110 §10.2.3); empty when
     * there is none or it cannot be read.
     */
    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(String::strip).flatMap(value -> {
            if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                // More digits than a long holds is a wait past any max-wait.
                return Optional.of(value.length() > 18 ? Duration.ofSeconds(Long.MAX_VALUE) : Duration.ofSeconds(Long.parseLong(value)));
            }
            for (DateTimeFormatter form : HTTP_DATES) {
                try {
                    Duration wait = Duration.between(Instant.now(), ZonedDateTime.parse(value, form).toInstant());
                    return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
                } catch (DateTimeParseException e) {
                    // the next form
                }
            }
            return Optional.empty();
        });
    }
}
