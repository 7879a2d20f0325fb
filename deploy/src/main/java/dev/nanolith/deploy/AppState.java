package dev.nanolith.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An app as the platform keeps it across restarts: who may push it and its revisions.
 *
 * @param name      the app's name
 * @param tokenHash the hash of its deploy token
 * @param revisions every revision deployed, oldest first
 * @param current   the id of the revision that serves, or null before the first deploy
 */
public record AppState(String name, String tokenHash, List<RevisionRecord> revisions, String current) {

    public AppState {
        revisions = List.copyOf(revisions);
    }

    /** A revision by id. */
    public Optional<RevisionRecord> revision(String id) {
        return revisions.stream().filter(r -> r.id().equals(id)).findFirst();
    }

    /** The revision that serves. */
    public Optional<RevisionRecord> currentRevision() {
        return current == null ? Optional.empty() : revision(current);
    }

    /** The id the next revision gets. */
    String nextId() {
        return "r" + (revisions.size() + 1);
    }

    AppState with(RevisionRecord added) {
        List<RevisionRecord> all = new ArrayList<>(revisions);
        all.add(added);
        return new AppState(name, tokenHash, all, added.id());
    }

    AppState withCurrent(String id) {
        return new AppState(name, tokenHash, revisions, id);
    }

    AppState withTokenHash(String hash) {
        return new AppState(name, hash, revisions, current);
    }
}
