package dev.nanolith.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanolith.runtime.Revision;
import dev.nanolith.runtime.Router;
import dev.nanolith.runtime.deadline.Watchdog;
import dev.nanolith.runtime.load.AppLoader;
import dev.nanolith.runtime.load.Libraries;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.load.Problem;
import dev.nanolith.runtime.placement.Placement;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * The throw-away process that checks one push, so that nothing an app's code does while it is
 * compiled, loaded, tested and started reaches the control plane: it starts, says {@value #READY},
 * warms up (javac and JUnit loaded and run) until it takes one {@link Job} as a line of JSON on
 * its standard input, reports on its standard output as it goes, writes the compiled app and its manifest,
 * and ends. What the app prints goes to standard error.
 *
 * <p>Its report, a line each: {@code stage NAME MILLIS NOTE}, {@code running TEST} as each of the
 * app's tests starts, then {@code passed} or {@code problems JSON} (a list of problems). The
 * compiled app and its manifest are written when {@code stage compile} is reported, before the
 * app's tests run.
 */
public final class Checker {

    /** The line the process prints as soon as it starts; it warms up until its job comes. */
    public static final String READY = "nanolith-check-ready";

    /**
     * The argument that makes the process warm up and end, running no app code, only the
     * platform's own ({@link Training}): it writes the class archive every worker and check process maps.
     */
    public static final String WARM_UP_ONLY = "--warm-up-only";

    /** How many times at most a check process checks the platform's own app as it waits: javac's and JUnit's hot methods compiled. */
    private static final int WARM_UP_CHECKS = 3;

    /** Where the compiled app and its manifest are written, in the job's {@code out} directory. */
    public static final String COMPILED = "compiled.json", MANIFEST = "manifest.json";

    /**
     * One check.
     *
     * @param dir                  the app's files
     * @param app                  the app they must be, or null for any
     * @param revision             the revision's id
     * @param placement            how the app is split into services
     * @param defaultTimeoutMillis the timeout of a function whose config sets none
     * @param libraries            the jars of the libraries the app declares, resolved by the control plane
     * @param settings             the values of the settings the app's config names and of its secrets
     * @param taken                the function names other apps serve, with their app
     * @param tests                whether to run the app's tests (a revision served again after a restart was tested at its push)
     * @param secretsRequired      whether a declared secret that is not set refuses the app (not for a revision served again)
     * @param out                  where to write the compiled app and its manifest
     */
    public record Job(Path dir, String app, String revision, Placement.Rule placement, long defaultTimeoutMillis, List<Path> libraries,
                      Map<String, String> settings, Map<String, String> taken, boolean tests, boolean secretsRequired, Path out) {

        /** Names the settings, never their values, some of which are secrets. */
        @Override
        public String toString() {
            return "Job[" + app + "@" + revision + " in " + dir + ", settings " + new TreeSet<>(settings.keySet()) + "]";
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private Checker() {
    }

    public static void main(String[] args) throws IOException, LoadException {
        PrintStream report = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        if (List.of(args).contains(WARM_UP_ONLY)) {
            // What a worker loads and runs besides: its server, its pipeline, its metrics.
            Training.checkAndServe();
            return;
        }
        report.println(READY);
        BufferedReader control = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        CompletableFuture<String> next = new CompletableFuture<>();
        Thread.ofVirtual().name("job").start(() -> {
            try {
                next.complete(control.readLine());
            } catch (IOException e) {
                next.complete(null);
            }
        });
        // Until the push comes: each check of the platform's own app leaves the compiler and the test engine faster.
        Training.check(WARM_UP_CHECKS, next::isDone);
        String line = next.join();
        if (line == null) {
            // The control plane stopped before it had a push for this process.
            Runtime.getRuntime().halt(0);
        }
        Job job = JSON.readValue(line, Job.class);
        try (Watchdog watchdog = new Watchdog()) {
            check(job, watchdog, report);
            report.println("passed");
        } catch (LoadException e) {
            report.println("problems " + JSON.writeValueAsString(e.problems()));
        } catch (Throwable e) {
            report.println("problems " + JSON.writeValueAsString(List.of(Problem.of("check", "the check failed: " + e))));
        }
        report.flush();
        // Whatever the app left running (threads, shutdown hooks) ends with the process.
        Runtime.getRuntime().halt(0);
    }

    static void check(Job job, Watchdog watchdog, PrintStream report) throws LoadException, IOException {
        long t = System.nanoTime();
        AppLoader loader = new AppLoader(AppLoader.localPipeline(watchdog, "check"), job.settings()::get,
                Duration.ofMillis(job.defaultTimeoutMillis()), true, job.placement(), Libraries.resolved(job.libraries()), null,
                job.secretsRequired());
        Revision revision = loader.load(job.dir(), job.app(), app -> job.revision());
        long warm = revision.coldStart().toMillis();
        // Written before the app's tests run: its workers start beside them, and serve only if they pass.
        revision.compiled().write(job.out().resolve(COMPILED));
        revision.manifest().write(job.out().resolve(MANIFEST));
        report.println("stage compile " + (millisSince(t) - warm) + " " + revision.routes().size() + " functions");
        Router.refuseClashes(revision.app(), revision.manifest().functions(), job.taken());
        if (job.tests()) {
            t = System.nanoTime();
            int passed = new AppTests().run(job.dir(), revision, test -> report.println("running " + test)).tests();
            report.println("stage test " + millisSince(t) + " " + (passed == 0 ? "no tests" : passed + " passed"));
        }
        report.println("stage warm " + warm + " every function started");
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
