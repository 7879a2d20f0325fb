package dev.nanolith.runtime;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Where one call stands in its operation's trace, as W3C Trace Context names it: the 128-bit trace
 * id, made at the operation's entry (or taken from the client's {@code traceparent}) and carried by
 * every call of the operation, in this process and across processes; the call's own 64-bit span
 * id; and the span id of the call that made it (0 for none, or the client's parent-id).
 *
 * @param high   the trace id's first 64 bits
 * @param low    the trace id's last 64 bits
 * @param span   this call's span id, never 0
 * @param parent the span id of the call that made this one; 0 for an operation's entry that came with none
 */
public record Trace(long high, long low, long span, long parent) {

    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
    private static final HexFormat HEX = HexFormat.of();

    /** A new trace, whose first call this is. */
    public static Trace next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new Trace(random.nextLong(), random.nextLong() | 1, spanId(), 0);
    }

    /**
     * The entry call of an operation whose client sent {@code traceparent}: in its trace, the
     * child of its parent-id; a new trace when the header is missing or malformed (W3C Trace
     * Context §4.2: all-zero ids are invalid).
     */
    public static Trace of(String traceparent) {
        if (traceparent == null || !TRACEPARENT.matcher(traceparent).matches() || traceparent.startsWith("00-00000000000000000000000000000000")
                || traceparent.startsWith("0000000000000000", 36)) {
            return next();
        }
        return new Trace(HexFormat.fromHexDigitsToLong(traceparent, 3, 19), HexFormat.fromHexDigitsToLong(traceparent, 19, 35), spanId(),
                HexFormat.fromHexDigitsToLong(traceparent, 36, 52));
    }

    /** A call this call makes: the same trace, a span of its own, this call's as its parent. */
    public Trace child() {
        return new Trace(high, low, spanId(), span);
    }

    /** This call made again, as a retry or by a fallback: a span of its own, the same parent. */
    public Trace again() {
        return new Trace(high, low, spanId(), parent);
    }

    /** The trace id, 32 lower-case hex digits. */
    public String id() {
        return HEX.toHexDigits(high) + HEX.toHexDigits(low);
    }

    /** This call's span id, 16 lower-case hex digits. */
    public String spanHex() {
        return HEX.toHexDigits(span);
    }

    /** The caller's span id, 16 lower-case hex digits; empty for an operation's entry that came with none. */
    public String parentHex() {
        return parent == 0 ? "" : HEX.toHexDigits(parent);
    }

    /** The {@code traceparent} header of this call, for its answer or for the requests it makes (sampled). */
    public String traceparent() {
        return "00-" + id() + "-" + spanHex() + "-01";
    }

    private static long spanId() {
        return ThreadLocalRandom.current().nextLong() | 1;
    }

    @Override
    public String toString() {
        return id();
    }
}
