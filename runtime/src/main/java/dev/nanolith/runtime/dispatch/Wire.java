package dev.nanolith.runtime.dispatch;

import dev.nanolith.BadInputException;
import dev.nanolith.DeadlineExceededException;
import dev.nanolith.FunctionFailedException;
import dev.nanolith.NoSuchFunctionException;
import dev.nanolith.RefusedException;
import dev.nanolith.ServiceUnavailableException;
import dev.nanolith.runtime.MalformedJsonException;
import dev.nanolith.runtime.Trace;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The protocol of calls between the processes of one platform, over one TCP connection per
 * concurrent call on loopback. A connection opens with a handshake: the server sends a random
 * challenge, the client answers with its identity and the challenge's HMAC under the key of
 * connections from that identity to the server ({@link Identities}), the server acknowledges; a
 * client that cannot answer is disconnected. Then, strictly in turn, a request
 * (a kind byte; for a call, the function, principal, caller, remaining milliseconds, trace id, the
 * call's span id and its caller's, and JSON input) and its answer (a kind byte, then the JSON output, the metrics asked for, or what
 * the failure needs to be thrown again as the same exception in the caller).
 */
final class Wire {

    static final int CHALLENGE_BYTES = 32;
    static final byte ACCEPTED = 1;

    /**
     * Kinds of request: a call whose input a function of the platform wrote, a call whose input is
     * a client's body (read strictly, bad input named), the worker's metrics in Prometheus' text format, and
     * the activation records of the calls it ran since it was last asked, as JSON.
     */
    static final byte CALL = 0, CLIENT_CALL = 1, SCRAPE = 2, ACTIVATIONS = 3;

    /** Kinds of answer. */
    static final byte OK = 0, DEADLINE = 1, FAILED = 2, NO_SUCH_FUNCTION = 3, BAD_INPUT = 4, UNAVAILABLE = 5, REFUSED = 6, MALFORMED = 7;

    /** Largest JSON body carried: a longer length is a broken stream, not a call. */
    private static final int MAX_BODY = 64 << 20;

    /** Longest message carried: a refusal's message reaches clients, and this is plenty for one. */
    private static final int MAX_MESSAGE = 8_000;

    /** One request, as it travels; a report (metrics, activations) carries nothing but its kind. */
    record Request(byte kind, String function, String principal, String caller, long remainingMillis, Trace trace, byte[] input) {

        static final Request SCRAPE_METRICS = new Request(SCRAPE, "", "", null, 0, null, new byte[0]);
        static final Request TAKE_ACTIVATIONS = new Request(ACTIVATIONS, "", "", null, 0, null, new byte[0]);

        /** Whether this asks for one of the worker's reports rather than calling a function. */
        boolean report() {
            return kind == SCRAPE || kind == ACTIVATIONS;
        }
    }

    private Wire() {
    }

    /** Writes a request; the number of bytes written. */
    static int write(DataOutputStream out, Request request) throws IOException {
        out.writeByte(request.kind());
        if (request.report()) {
            out.flush();
            return 1;
        }
        String caller = request.caller() == null ? "" : request.caller();
        out.writeUTF(request.function());
        out.writeUTF(request.principal());
        out.writeUTF(caller);
        out.writeLong(request.remainingMillis());
        out.writeLong(request.trace().high());
        out.writeLong(request.trace().low());
        out.writeLong(request.trace().span());
        out.writeLong(request.trace().parent());
        out.writeInt(request.input().length);
        out.write(request.input());
        out.flush();
        return 1 + utf(request.function()) + utf(request.principal()) + utf(caller) + 5 * Long.BYTES + Integer.BYTES + request.input().length;
    }

    static Request readRequest(DataInputStream in) throws IOException {
        byte kind = in.readByte();
        if (kind == SCRAPE) {
            return Request.SCRAPE_METRICS;
        }
        if (kind == ACTIVATIONS) {
            return Request.TAKE_ACTIVATIONS;
        }
        if (kind != CALL && kind != CLIENT_CALL) {
            throw new IOException("unknown request kind " + kind);
        }
        String function = in.readUTF();
        String principal = in.readUTF();
        String caller = in.readUTF();
        long remaining = in.readLong();
        Trace trace = new Trace(in.readLong(), in.readLong(), in.readLong(), in.readLong());
        byte[] input = body(in);
        return new Request(kind, function, principal, caller.isEmpty() ? null : caller, remaining, trace, input);
    }

    /** Writes a function's output; the number of bytes written. */
    static int writeOutput(DataOutputStream out, byte[] json) throws IOException {
        out.writeByte(OK);
        out.writeInt(json.length);
        out.write(json);
        out.flush();
        return answerBytes(json);
    }

    /** The size of an answer that carried {@code json}. */
    static int answerBytes(byte[] json) {
        return 1 + Integer.BYTES + json.length;
    }

    /**
     * Writes how a call failed: one of the exceptions a call may end with, as the caller will see
     * it — naming the function that failed, which may be one this call called in turn, with its
     * timeout, service or error id, so that every placement reports the same failure.
     */
    static void writeFailure(DataOutputStream out, RuntimeException failure) throws IOException {
        switch (failure) {
            case DeadlineExceededException e -> {
                out.writeByte(DEADLINE);
                out.writeUTF(e.function());
                out.writeLong(e.timeout().toMillis());
            }
            case FunctionFailedException e -> {
                out.writeByte(FAILED);
                out.writeUTF(e.function());
                out.writeUTF(e.errorId());
            }
            case NoSuchFunctionException e -> {
                out.writeByte(NO_SUCH_FUNCTION);
                out.writeUTF(e.function());
            }
            case BadInputException e -> {
                out.writeByte(BAD_INPUT);
                out.writeUTF(e.function());
                out.writeUTF(clip(e.getMessage()));
            }
            case ServiceUnavailableException e -> {
                out.writeByte(UNAVAILABLE);
                out.writeUTF(e.function());
                out.writeUTF(e.service());
            }
            case MalformedJsonException e -> {
                out.writeByte(MALFORMED);
                out.writeUTF(clip(e.getMessage()));
            }
            case RefusedException e -> {
                out.writeByte(REFUSED);
                out.writeShort(e.status());
                out.writeUTF(clip(e.code()));
                out.writeUTF(clip(e.getMessage()));
                out.writeLong(e.retryAfter().map(Duration::toMillis).orElse(-1L));
            }
            default -> throw new IllegalArgumentException("not a failure a call ends with: " + failure);
        }
        out.flush();
    }

    /**
     * Reads an answer from the worker of {@code service}: the output's JSON, or the exception the
     * callee's process ended the call with, thrown as a local call would have thrown it.
     */
    static byte[] readAnswer(DataInputStream in, String service) throws IOException {
        byte kind = in.readByte();
        switch (kind) {
            case OK -> {
                return body(in);
            }
            case DEADLINE -> throw new DeadlineExceededException(in.readUTF(), Duration.ofMillis(in.readLong()));
            case FAILED -> throw new FunctionFailedException(in.readUTF(), in.readUTF(), null);
            case NO_SUCH_FUNCTION -> throw new NoSuchFunctionException(in.readUTF());
            case BAD_INPUT -> throw new BadInputException(in.readUTF(), in.readUTF(), null);
            // Another process the callee called was down: the callee ran, so the request was delivered.
            case UNAVAILABLE -> throw new ServiceUnavailableException(in.readUTF(), in.readUTF(), true, null);
            case MALFORMED -> throw new MalformedJsonException(in.readUTF(), null);
            case REFUSED -> {
                int status = in.readShort();
                String code = in.readUTF();
                String message = in.readUTF();
                long retryAfter = in.readLong();
                throw status == 503 ? RefusedException.unavailable(code, message, Duration.ofMillis(Math.max(0, retryAfter)))
                        : RefusedException.withStatus(status, code, message);
            }
            default -> throw new IOException("unknown answer kind " + kind + " from the worker of '" + service + "'");
        }
    }

    private static byte[] body(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_BODY) {
            throw new IOException("a body of " + length + " bytes: the stream is broken");
        }
        byte[] body = new byte[length];
        in.readFully(body);
        return body;
    }

    /** The size of a string as {@link DataOutputStream#writeUTF} writes it (for the names and ids carried, all UTF-8). */
    private static int utf(String text) {
        return 2 + text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String clip(String text) {
        return text == null ? "" : text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE);
    }
}
