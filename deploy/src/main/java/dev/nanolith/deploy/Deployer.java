package dev.nanolith.deploy;

import dev.nanolith.audit.Audit;
import dev.nanolith.audit.Auditor;
import dev.nanolith.runtime.Router;
import dev.nanolith.runtime.config.AppConfig;
import dev.nanolith.runtime.config.ConfigFile;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.load.Problem;
import dev.nanolith.runtime.placement.Deployment;
import dev.nanolith.runtime.placement.Manifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Turns commits into serving revisions: checks a commit (loads it, runs its tests, starts its
 * functions), switches the app's traffic to it atomically, and remembers it so that a restart or a
 * rollback can serve it again. Deploys of one app run one at a time; different apps in parallel.
 */
public final class Deployer {

    private static final System.Logger LOG = System.getLogger(Deployer.class.getName());

    /** A commit that passed every check and is ready to serve. */
    public record Candidate(Deployment deployment, RevisionRecord record, Map<String, String> fingerprints, int tests) {
    }

    private final Router router;
    private final AppStore store;
    private final Check check;
    private final Path work;
    private final Supplier<String> baseUrl;
    private final Auditor.Guidelines guidelines;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> servingFingerprints = new ConcurrentHashMap<>();

    /**
     * @param work    where commits are checked out while they are checked
     * @param baseUrl the gateway's URL, for the push output
     * @param guidelines what a push is told of its placement, or refused for
     */
    public Deployer(Check check, Router router, AppStore store, Path work, Supplier<String> baseUrl, Auditor.Guidelines guidelines) {
        this.guidelines = guidelines;
        this.router = router;
        this.store = store;
        this.check = check;
        this.work = work;
        this.baseUrl = baseUrl;
    }

    /** The lock that keeps an app's deploys one at a time. */
    ReentrantLock lock(String app) {
        return locks.computeIfAbsent(app, a -> new ReentrantLock());
    }

    /**
     * Checks {@code commit} of {@code app}, pushed: checkout, compile and load, the app's tests,
     * the start of every function (in a throw-away process), then the start of its workers.
     * Functions that a plan placed in the serving revision stay where it placed them. Reports
     * each stage to {@code progress} as it ends.
     *
     * @throws LoadException with every problem found; nothing serves differently
     */
    public Candidate check(String app, ObjectId commit, Consumer<String> progress) throws LoadException {
        Optional<RevisionRecord> serving = store.app(app).flatMap(AppState::currentRevision);
        Map<String, String> planned = serving.map(RevisionRecord::placement).orElse(Map.of());
        if (!planned.isEmpty()) {
            progress.accept("nanolith: placed as " + serving.get().id() + " was (" + serving.get().origin() + "); to place by nanolith.yaml"
                    + " again, roll back to a pushed revision and push");
        }
        Candidate candidate = check(app, commit, Check.Purpose.PUSH, planned, RevisionRecord.PUSH, Map.of(), progress);
        try {
            review(candidate.deployment(), progress);
        } catch (LoadException | RuntimeException e) {
            candidate.deployment().retire();
            throw e;
        }
        return candidate;
    }

    /**
     * Tells a push what the sizing guidelines flag in its placement and code, a line each; refuses
     * it when they are enforced ({@value Auditor.Guidelines#ON_PUSH}{@code =enforce}).
     */
    private void review(Deployment deployment, Consumer<String> progress) throws LoadException {
        if (guidelines.onPush() == Auditor.OnPush.OFF) {
            return;
        }
        ConfigFile config = deployment.config();
        List<Audit.Finding> flagged = new Auditor(guidelines).review(deployment.app(),
                deployment.functions().stream().map(fn -> Auditor.Function.of(fn, config.config())).toList());
        for (Audit.Finding f : flagged) {
            progress.accept("  guideline " + f.kind().word() + " " + f.subject() + ": " + f.evidence() + " — " + f.action());
        }
        if (guidelines.onPush() == Auditor.OnPush.ENFORCE && !flagged.isEmpty()) {
            int line = Math.max(1, config.line("/services"));
            throw new LoadException(flagged.stream().map(f -> new Problem(ConfigFile.NAME, line, "the sizing guidelines are enforced ("
                    + Auditor.Guidelines.ON_PUSH + "=enforce): " + f.kind().word() + " " + f.subject() + ": " + f.evidence() + " — " + f.action())).toList());
        }
    }

    /**
     * Deploys the commit that serves {@code app} again as a new revision, its functions placed
     * as {@code planned} says (the others by the platform's mode), through the same checks as a
     * push but its tests, which passed at its push (a placement changes no code); {@link #rollback}
     * returns to the revision before it. The placement is also written
     * as the {@code services:} of a commit on {@value PlanBranch#BRANCH}, for the app's owner.
     *
     * @param basedOn   the revision whose traffic the plan was made from: it must still serve
     * @param origin    what the revision's record says made it, such as the plan's steps
     * @param predicted what the plan predicts each operation will take, in ms, by entry function: the audit of the
     *                  revision shows it beside what is measured
     * @return the lines that report the deploy
     * @throws IllegalStateException when no pushed revision of {@code app} serves, or another than {@code basedOn}
     * @throws LoadException         with every problem found; nothing serves differently
     */
    public List<String> place(String app, String basedOn, Map<String, String> planned, String origin, Map<String, Double> predicted,
                              Consumer<String> progress) throws LoadException {
        store.app(app).orElseThrow(() -> new NotFoundException("no app named '" + app + "'"));
        ReentrantLock lock = lock(app);
        lock.lock();
        try {
            long start = System.nanoTime();
            RevisionRecord serving = store.app(app).flatMap(AppState::currentRevision).orElseThrow(
                    () -> new IllegalStateException("'" + app + "' has no pushed revision to place — push it first"));
            if (!serving.id().equals(basedOn)) {
                throw new IllegalStateException("'" + app + "' serves " + serving.id() + " now, not " + basedOn + ", whose traffic the plan was"
                        + " made from — ask for the plan again");
            }
            Candidate placed = check(app, ObjectId.fromString(serving.commit()), Check.Purpose.AGAIN, planned, origin, predicted, progress);
            List<String> lines;
            try {
                lines = new ArrayList<>(activate(app, placed, start));
            } catch (LoadException | RuntimeException e) {
                placed.deployment().retire();
                throw e;
            }
            lines.add(propose(app, serving, placed));
            return lines;
        } finally {
            lock.unlock();
        }
    }

    private Candidate check(String app, ObjectId commit, Check.Purpose purpose, Map<String, String> planned, String origin,
                            Map<String, Double> predicted, Consumer<String> progress) throws LoadException {
        Map<String, Long> stages = new LinkedHashMap<>();
        long start = System.nanoTime();
        Repository repo = store.repository(app);
        String id = store.app(app).orElseThrow().nextId();
        try (Checkout checkout = Checkout.of(repo, commit, work.resolve(app))) {
            stages.put("checkout", Check.millisSince(start));
            progress.accept(Check.stage("checkout", stages.get("checkout"), ""));
            Check.Passed passed = check.run(checkout.dir(), app, a -> id, purpose, planned, progress);
            Deployment deployment = passed.deployment();
            stages.putAll(passed.stagesMillis());
            try {
                RevCommit c = parse(repo, commit);
                RevisionRecord record = new RevisionRecord(id, commit.name(), c.getAuthorIdent().getName() + " <"
                        + c.getAuthorIdent().getEmailAddress() + ">", Instant.now(), c.getShortMessage(), stages, stages.get("workers"), planned, origin, predicted);
                return new Candidate(deployment, record, fingerprints(checkout.dir(), deployment), passed.tests());
            } catch (IOException | RuntimeException e) {
                deployment.retire();
                throw e;
            }
        } catch (IOException e) {
            throw new LoadException(Problem.of("repository", "commit " + commit.name() + " cannot be read: " + e.getMessage()));
        }
    }

    /**
     * Makes a checked candidate serve: routing switches atomically, calls in flight finish on
     * the revision they started on, and the revision is recorded as current.
     *
     * @return the lines that report the deploy
     */
    public List<String> activate(String app, Candidate candidate, long startedNanos) throws LoadException {
        long t = System.nanoTime();
        router.deploy(candidate.deployment());
        long switchMillis = Check.millisSince(t);
        RevisionRecord record = candidate.record();
        record.stagesMillis().put("switch", switchMillis);
        store.record(app, record);
        Map<String, String> before = servingFingerprints.put(app, candidate.fingerprints());
        List<String> lines = new ArrayList<>();
        lines.add(Check.stage("switch", switchMillis, "traffic moved to " + record.id()));
        lines.add(String.format("deployed %s %s (%s) in %.1f s", app, record.id(), record.shortCommit(), (System.nanoTime() - startedNanos) / 1e9));
        for (Manifest.Function fn : candidate.deployment().functions()) {
            String was = before == null ? null : before.get(fn.name());
            String change = was == null ? "new" : was.equals(candidate.fingerprints().get(fn.name())) ? null : "changed";
            if (change != null) {
                lines.add(String.format("  %-8s POST %s/fn/%s", change, baseUrl.get(), fn.name()));
            }
        }
        LOG.log(System.Logger.Level.INFO, "deployed {0} {1} ({2})", app, record.id(), record.shortCommit());
        return lines;
    }

    /**
     * Serves an earlier revision of {@code app} again, loaded from its commit; {@code main} stays
     * where it is, so the next push works as usual.
     */
    public RevisionRecord rollback(String app, String revisionId) throws LoadException {
        AppState state = store.app(app).orElseThrow(() -> new NotFoundException("no app named '" + app + "'"));
        RevisionRecord target = state.revision(revisionId).orElseThrow(() -> new NotFoundException(
                "'" + app + "' has no revision " + revisionId + " — its revisions are " + state.revisions().stream().map(RevisionRecord::id).toList()));
        ReentrantLock lock = lock(app);
        lock.lock();
        try {
            serve(app, target);
            store.current(app, target.id());
            LOG.log(System.Logger.Level.INFO, "rolled {0} back to {1} ({2})", app, target.id(), target.shortCommit());
            return target;
        } finally {
            lock.unlock();
        }
    }

    /** Writes a placed revision's placement to {@value PlanBranch#BRANCH}, and says where; a failure is said, not thrown: the revision serves. */
    private String propose(String app, RevisionRecord base, Candidate placed) {
        RevisionRecord record = placed.record();
        Deployment deployment = placed.deployment();
        try {
            Map<String, String> placement = new java.util.TreeMap<>();
            deployment.functions().forEach(fn -> placement.put(fn.name(), fn.service()));
            AppConfig config = deployment.config().config();
            ObjectId commit = PlanBranch.write(store.repository(app), ObjectId.fromString(base.commit()), config, placement, List.of(
                    "Placed by Nanolith as " + record.id() + " (" + record.origin() + ").",
                    "The platform keeps this placement for later pushes; merged into main, it is also what --placement services uses."),
                    "Place " + app + "'s functions as " + record.id() + " serves them\n\n" + record.origin() + ".\n");
            return "  placement written to the branch " + PlanBranch.BRANCH + " (" + commit.abbreviate(7).name() + "): git fetch nanolith "
                    + PlanBranch.BRANCH + " && git diff HEAD FETCH_HEAD -- " + ConfigFile.NAME + " (nanolith: your remote for the platform)";
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the placement of " + app + " " + record.id() + " was not written to " + PlanBranch.BRANCH, e);
            return "  the placement could not be written to the branch " + PlanBranch.BRANCH + ": " + e.getMessage();
        }
    }

    /** Serves every app's current revision again, as after a restart. Returns the problems of apps that could not be served. */
    public List<String> restore() {
        List<String> failed = new ArrayList<>();
        for (AppState state : store.apps()) {
            state.currentRevision().ifPresent(current -> {
                try {
                    serve(state.name(), current);
                    LOG.log(System.Logger.Level.INFO, "serving {0} {1} ({2})", state.name(), current.id(), current.shortCommit());
                } catch (LoadException | RuntimeException e) {
                    failed.add(state.name() + " " + current.id() + ": " + e.getMessage());
                }
            });
        }
        return failed;
    }

    private void serve(String app, RevisionRecord record) throws LoadException {
        try (Checkout checkout = Checkout.of(store.repository(app), ObjectId.fromString(record.commit()), work.resolve(app))) {
            Deployment deployment = check.run(checkout.dir(), app, a -> record.id(), Check.Purpose.AGAIN, record.placement(), line -> { }).deployment();
            try {
                router.deploy(deployment);
                servingFingerprints.put(app, fingerprints(checkout.dir(), deployment));
            } catch (LoadException | RuntimeException e) {
                deployment.retire();
                throw e;
            }
        } catch (IOException e) {
            throw new LoadException(Problem.of("repository", "commit " + record.commit() + " cannot be read: " + e.getMessage()));
        }
    }

    /** What tells whether a function changed between revisions: its source file and its settings. */
    private static Map<String, String> fingerprints(Path dir, Deployment deployment) throws IOException {
        Map<String, String> prints = new HashMap<>();
        for (Manifest.Function fn : deployment.functions()) {
            String source = fn.source();
            Path file = dir.resolve(source.substring(0, source.lastIndexOf(':'))).normalize();
            // The manifest comes from the check process: a file outside the checkout is no source.
            String text = file.startsWith(dir) && Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : source;
            prints.put(fn.name(), Tokens.hash(text + "\n" + fn.timeout() + "\n" + new java.util.TreeMap<>(fn.config())));
        }
        return prints;
    }

    private static RevCommit parse(Repository repo, ObjectId commit) throws IOException {
        try (RevWalk walk = new RevWalk(repo)) {
            return walk.parseCommit(commit);
        }
    }
}
