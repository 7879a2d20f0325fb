package dev.nanolith.runtime;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The trace an operation's calls belong to, as W3C Trace Context names it: a 128-bit trace id,
 * made at the operation's entry (or taken from the client's {@code traceparent}) and carried by
 * every call of the operation, in this process and across processes.
 *
 * @param high the id's first 64 bits
 * @param low  the id's last 64 bits
 */
public record Trace(long high, long low) {

    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
    private static final HexFormat HEX = HexFormat.of();

    /** A new trace. */
    public static Trace next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new Trace(random.nextLong(), random.nextLong() | 1);
    }

    /** The trace of a {@code traceparent} header, or a new one when the header is missing or malformed. */
    public static Trace of(String traceparent) {
        if (traceparent == null || !TRACEPARENT.matcher(traceparent).matches() || traceparent.startsWith("00-00000000000000000000000000000000")) {
            return next();
        }
        return new Trace(HexFormat.fromHexDigitsToLong(traceparent, 3, 19), HexFormat.fromHexDigitsToLong(traceparent, 19, 35));
    }

    /** The trace id, 32 lower-case hex digits. */
    public String id() {
        return HEX.toHexDigits(high) + HEX.toHexDigits(low);
    }

    /** A {@code traceparent} header of this trace for a call made now (a fresh parent id). */
    public String traceparent() {
        return "00-" + id() + "-" + HEX.toHexDigits(ThreadLocalRandom.current().nextLong() | 1) + "-01";
    }

    @Override
    public String toString() {
        return id();
    }
}
