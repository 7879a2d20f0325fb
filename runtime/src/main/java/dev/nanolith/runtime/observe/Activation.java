package dev.nanolith.runtime.observe;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One call of one function, as the platform records it (OpenWhisk's activation record), which is
 * also its span in the operation's trace: its id is the span id.
 *
 * @param id            the call's span id, 16 hex digits
 * @param app           the app of the function
 * @param function      the function called
 * @param revision      the revision that ran it
 * @param service       the service (process) it ran in; {@value #GATEWAY} for a call the gateway answered itself
 * @param caller        the calling function, or {@code entry} for an operation's entry
 * @param remote        whether the call came from another process (the gateway's, or another service's); false for a
 *                      call between functions of one process
 * @param principal     who the operation runs for
 * @param traceId       the operation's trace id, 32 hex digits
 * @param parentId      the caller's span id, 16 hex digits; empty for an entry that came with none
 * @param start         when the call started
 * @param durationNanos how long it took, nested calls included
 * @param remoteNanos   how long it waited on its calls into other processes, as it saw them: their requests, their runs
 *                      and their answers; with the callees' own durations, the time spent between processes
 * @param status        how it ended
 * @param bytesIn       its input's bytes, for a call from another process; -1 otherwise
 * @param bytesOut      its answer's bytes, for a call from another process; -1 otherwise
 * @param logs          the lines the function logged during the call ({@code ctx.log()}), at most {@link #MAX_LOG_LINES}
 */
public record Activation(String id, String app, String function, String revision, String service, String caller, boolean remote,
                         String principal, String traceId, String parentId, Instant start, long durationNanos, long remoteNanos, Status status, int bytesIn, int bytesOut,
                         List<String> logs) {

    /** The service of a call that the gateway answered itself (refused it, or could not deliver it): no service's name has brackets. */
    public static final String GATEWAY = "(gateway)";

    /** How many of a call's log lines are kept with it; the rest are counted in a last line. */
    public static final int MAX_LOG_LINES = 50;

    /** How many characters of a log line are kept with its call; the worker's log has it whole. */
    public static final int MAX_LOG_LINE = 2_000;

    public Activation {
        logs = List.copyOf(logs);
    }

    /** How a call ended. */
    public enum Status {
        /** It returned. */
        SUCCESS,
        /** It was refused for what it asked: a refusal, bad input, a full bulkhead, an open breaker. */
        REFUSED,
        /** The function threw. */
        FUNCTION_ERROR,
        /** The platform could not run it: its process was down, or the JVM failed. */
        PLATFORM_ERROR,
        /** It ran out of time. */
        TIMEOUT,
        /** Its caller may not call it: {@code callers:}, a credential the gateway refused, an internal function. */
        DENIED;

        private final String word = name().toLowerCase(Locale.ROOT).replace('_', '-');

        /** The status as the API and the store name it: {@code success}, {@code function-error}, … */
        @JsonValue
        public String word() {
            return word;
        }

        /**
         * The status named {@code word}.
         *
         * @throws IllegalArgumentException naming the statuses there are
         */
        @JsonCreator
        public static Status of(String word) {
            for (Status status : values()) {
                if (status.word.equals(word)) {
                    return status;
                }
            }
            throw new IllegalArgumentException("no status '" + word + "' — use success, refused, function-error, platform-error, timeout or denied");
        }
    }
}
