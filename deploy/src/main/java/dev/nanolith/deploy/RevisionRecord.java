package dev.nanolith.deploy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the platform remembers of one deployed revision.
 *
 * @param id              {@code r1}, {@code r2}, … in the order they were deployed
 * @param commit          the commit deployed, or empty for an app deployed from a directory
 * @param author          the commit's author
 * @param time            when it was deployed
 * @param message         the commit message's first line
 * @param stagesMillis    how long each stage of the deploy took, in order
 * @param coldStartMillis how long starting every function took, summed
 * @param placement       the service of each function a plan placed ({@code ./nanolith plan --apply}); empty: the
 *                        platform's placement mode places them all
 * @param origin          what made it: {@code push}, or the plan applied
 * @param predicted       for a revision a plan placed, what the plan predicted each operation would take, in ms, by entry function
 */
public record RevisionRecord(String id, String commit, String author, Instant time, String message,
                             Map<String, Long> stagesMillis, long coldStartMillis, Map<String, String> placement, String origin,
                             Map<String, Double> predicted) {

    public RevisionRecord {
        stagesMillis = new LinkedHashMap<>(stagesMillis);
        // Records kept before plans existed have neither.
        placement = placement == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(placement));
        origin = origin == null ? PUSH : origin;
        predicted = predicted == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(predicted));
    }

    /** The origin of a revision a push made. */
    public static final String PUSH = "push";

    /** The commit's short form, as git prints it. */
    public String shortCommit() {
        return commit.length() > 7 ? commit.substring(0, 7) : commit;
    }
}
