package dev.nanolith.deploy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

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
 */
public record RevisionRecord(String id, String commit, String author, Instant time, String message,
                             Map<String, Long> stagesMillis, long coldStartMillis) {

    public RevisionRecord {
        stagesMillis = new LinkedHashMap<>(stagesMillis);
    }

    /** The commit's short form, as git prints it. */
    public String shortCommit() {
        return commit.length() > 7 ? commit.substring(0, 7) : commit;
    }
}
