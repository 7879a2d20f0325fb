package dev.nanolith.worker;

import dev.nanolith.FunctionFailedException;
import dev.nanolith.runtime.Revision;
import dev.nanolith.runtime.load.Compiler;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.load.OfferedClasses;
import dev.nanolith.runtime.load.Problem;
import dev.nanolith.runtime.load.RevisionClassLoader;
import dev.nanolith.testing.TestFunctions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs an app's own JUnit tests ({@code src/test/java}) against a revision before it may serve.
 * The tests are compiled against the revision's classes and loaded above its class loader; a
 * test method may take a {@link dev.nanolith.Functions} to call the revision's functions. They run
 * in the check process, whose time the control plane limits.
 */
final class AppTests {

    /** Where an app's tests live, relative to its root. */
    static final String SOURCES = "src/test/java";

    /** What a run gives: how many tests ran. Failures are thrown as problems. */
    record Outcome(int tests) {
    }

    /**
     * Runs the tests of the app in {@code dir}, if it has any, against {@code revision}; tells
     * {@code running} the name of each test as it starts ({@code GreetTest.greets}).
     */
    Outcome run(Path dir, Revision revision, Consumer<String> running) throws LoadException {
        Map<String, String> sources = Compiler.sources(dir, SOURCES);
        if (sources.isEmpty()) {
            return new Outcome(0);
        }
        // Against the app's classes, and the libraries it declares.
        Compiler.Output compiled = Compiler.forTests(revision.compiled().libraries()).compile(sources, revision.classes());
        String loaderName = revision.app() + "@" + revision.id() + "-tests";
        // The app's classes, then JUnit's: nothing else of the platform.
        ClassLoader loader = new RevisionClassLoader(loaderName, compiled.classes(),
                OfferedClasses.forTests(loaderName + "-offered", revision.loader(), AppTests.class.getClassLoader()));
        List<Class<?>> classes = new ArrayList<>();
        for (String name : compiled.sources().keySet().stream().filter(n -> !n.contains("$")).toList()) {
            try {
                classes.add(Class.forName(name, false, loader));
            } catch (ClassNotFoundException | LinkageError e) {
                throw new LoadException(Problem.of(compiled.sources().get(name).file(), "test class " + name + " cannot be loaded: " + e));
            }
        }
        List<Problem> failures = new ArrayList<>();
        int[] count = new int[1];
        AtomicReference<Throwable> crash = new AtomicReference<>();
        Thread runner = Thread.ofPlatform().name("app-tests:" + revision.app()).unstarted(() -> TestFunctions.against(revision, () -> {
            try {
                Launcher launcher = LauncherFactory.create();
                LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                        .selectors(classes.stream().map(DiscoverySelectors::selectClass).toList())
                        .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                        .build();
                launcher.execute(request, new TestExecutionListener() {
                    @Override
                    public void executionStarted(TestIdentifier test) {
                        if (test.isTest()) {
                            running.accept(name(test));
                        }
                    }

                    @Override
                    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                        if (test.isTest()) {
                            count[0]++;
                        }
                        if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                            failures.add(failure(test, result, compiled, revision.compiled()));
                        }
                    }
                });
            } catch (Throwable e) {
                crash.set(e);
            }
        }));
        // Test classes reach JUnit as classes, not names; threads started during the tests (a
        // database's, a client's) inherit this loader, which therefore must not be the app's.
        runner.setContextClassLoader(AppTests.class.getClassLoader());
        runner.setDaemon(true);
        runner.start();
        try {
            runner.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (crash.get() != null) {
            throw new LoadException(Problem.of(SOURCES, "the app's tests could not be run: " + crash.get()));
        }
        if (!failures.isEmpty()) {
            throw new LoadException(failures);
        }
        return new Outcome(count[0]);
    }

    /** A failed test as a problem at the line of the test that failed, with what went wrong. */
    private static Problem failure(TestIdentifier test, TestExecutionResult result, Compiler.Output tests, Compiler.Output app) {
        Throwable thrown = result.getThrowable().orElse(null);
        String what = test.getLegacyReportingName() + " failed: " + (thrown == null ? "aborted" : reason(thrown, app));
        if (thrown != null) {
            Set<String> testClasses = tests.sources().keySet();
            for (StackTraceElement frame : thrown.getStackTrace()) {
                Compiler.SourceClass source = tests.sources().get(frame.getClassName());
                if (source != null && testClasses.contains(frame.getClassName()) && frame.getLineNumber() > 0) {
                    return new Problem(source.file(), frame.getLineNumber(), what);
                }
            }
        }
        return Problem.of(SOURCES, what);
    }

    /**
     * What went wrong: the assertion's message; for a function that threw (the failure, or what an
     * assertion wrapped), what it threw and the line of the app's code that threw it — the pusher's
     * own code, so the cause is theirs to see, where a caller of a deployed function gets only an
     * error id.
     */
    private static String reason(Throwable thrown, Compiler.Output app) {
        Throwable inner = thrown;
        while (inner != null && !(inner instanceof FunctionFailedException)) {
            inner = inner.getCause();
        }
        if (inner instanceof FunctionFailedException failed && failed.getCause() != null) {
            Throwable cause = failed.getCause();
            String where = Arrays.stream(cause.getStackTrace()).map(frame -> at(frame, app)).filter(Objects::nonNull).findFirst()
                    .map(line -> " at " + line).orElse("");
            return "'" + failed.function() + "' threw " + cause.getClass().getName()
                    + (cause.getMessage() == null ? "" : ": " + firstLine(cause.getMessage())) + where;
        }
        return thrown.getMessage() == null ? thrown.getClass().getName() : firstLine(thrown.getMessage());
    }

    /** {@code frame} as {@code file:line} when it is in the app's code; null otherwise. */
    private static String at(StackTraceElement frame, Compiler.Output app) {
        Compiler.SourceClass source = app.sources().get(frame.getClassName());
        return source == null || frame.getLineNumber() <= 0 ? null : source.file() + ":" + frame.getLineNumber();
    }

    /** A test as people name it: {@code GreetTest.greets}, or JUnit's display name when it is no method. */
    static String name(TestIdentifier test) {
        return test.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                .map(m -> m.getClassName().substring(m.getClassName().lastIndexOf('.') + 1) + "." + m.getMethodName()).orElse(test.getDisplayName());
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElse("").strip();
    }
}
