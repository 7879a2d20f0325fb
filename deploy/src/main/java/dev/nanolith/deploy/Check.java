package dev.nanolith.deploy;

import dev.nanolith.runtime.Revision;
import dev.nanolith.runtime.load.AppLoader;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.load.Problem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The checks an app's files pass before they may serve, the same for a push, {@code nanolith test}
 * and {@code nanolith dev}: {@code nanolith.yaml}, compile and load, the app's own tests, the start
 * of every function. Each stage is reported as it ends, in the lines a push prints.
 */
public final class Check {

    /**
     * Files that passed every check.
     *
     * @param revision     the loaded revision, started and ready to serve
     * @param stagesMillis how long each stage took, in the order they ran
     * @param tests        how many of the app's tests ran (and passed)
     * @param placed       whether processes were started for the revision's services from the
     *                     checked files, which must then stay until the revision retires
     */
    public record Passed(Revision revision, Map<String, Long> stagesMillis, int tests, boolean placed) {
    }

    /**
     * Starts the processes of a revision's services that run outside this process, before its
     * tests run, so that the tests call every function where it will serve.
     */
    @FunctionalInterface
    public interface Placer {
        /** True when processes were started, which read the files in {@code dir} while they run. */
        boolean place(Revision revision, Path dir) throws LoadException;
    }

    private final AppLoader loader;
    private final AppTests tests;

    /** @param testTimeout how long an app's own tests may run */
    public Check(AppLoader loader, Duration testTimeout) {
        this.loader = loader;
        this.tests = new AppTests(testTimeout);
    }

    /** Loads the compiler and the test runner in the background, so that the first check is as fast as the next. */
    public void warmUp() {
        Thread.ofVirtual().name("check warm-up").start(tests::warmUp);
    }

    /**
     * Checks the app in {@code dir}, which must be the app {@code app} (null: any), as revision
     * {@code ids.apply(app)}, placed by {@code placer}; reports each stage to {@code progress}.
     *
     * @throws LoadException with every problem found; a revision loaded on the way is retired
     */
    public Passed run(Path dir, String app, UnaryOperator<String> ids, Placer placer, Consumer<String> progress) throws LoadException {
        Map<String, Long> stages = new LinkedHashMap<>();
        long t = System.nanoTime();
        Revision revision = loader.load(dir, app, ids);
        long warmMillis = revision.coldStart().toMillis();
        stages.put("compile", millisSince(t) - warmMillis);
        progress.accept(stage("compile", stages.get("compile"), revision.routes().size() + " functions"));
        try {
            t = System.nanoTime();
            boolean placed = placer.place(revision, dir);
            if (placed) {
                stages.put("services", millisSince(t));
                progress.accept(stage("services", stages.get("services"), revision.endpoints().size() + " started"));
            }
            t = System.nanoTime();
            int passed = tests.run(dir, revision).tests();
            stages.put("test", millisSince(t));
            progress.accept(stage("test", stages.get("test"), passed == 0 ? "no tests" : passed + " passed"));
            stages.put("warm", warmMillis);
            progress.accept(stage("warm", warmMillis, "every function started"));
            return new Passed(revision, stages, passed, placed);
        } catch (LoadException | RuntimeException e) {
            revision.retire();
            throw e;
        }
    }

    /** One stage's line of a report: its name, its milliseconds, a note. */
    public static String stage(String name, long millis, String note) {
        return String.format("  %-9s %6d ms  %s", name, millis, note);
    }

    /** The lines that list what to fix, as a push prints them under its {@code Fix:} line. */
    public static List<String> fix(LoadException e) {
        return e.problems().stream().map(Problem::lines).flatMap(List::stream).map(line -> "  " + line).toList();
    }

    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
