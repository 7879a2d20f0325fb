package dev.nanolith.testing;

import dev.nanolith.Functions;
import dev.nanolith.runtime.Revision;
import dev.nanolith.runtime.deadline.Watchdog;
import dev.nanolith.runtime.load.AppLoader;
import dev.nanolith.runtime.load.LoadException;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives an app's tests a {@link Functions} parameter that calls the app's functions through
 * the real pipeline. At push time that is the revision being checked; in an IDE or the app's own
 * Maven build, the app in the working directory, loaded the same way. JUnit finds this extension
 * when extension auto-detection is on ({@code junit.jupiter.extensions.autodetection.enabled}),
 * which the build file {@code nanolith init} writes turns on.
 */
public final class TestFunctions implements ParameterResolver {

    /**
     * The revision under check, handed from the deploy to JUnit on the thread that runs the
     * tests: JUnit makes this class itself and can pass it nothing but strings. Not inherited, so
     * that no thread started during the tests can keep the revision alive.
     */
    private static final ThreadLocal<Revision> CHECKED = new ThreadLocal<>();

    private static final String PRINCIPAL = "test";

    /** Runs {@code tests} on this thread with every {@link Functions} parameter calling {@code revision}. */
    public static void against(Revision revision, Runnable tests) {
        CHECKED.set(revision);
        try {
            tests.run();
        } finally {
            CHECKED.remove();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Functions.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Revision checked = CHECKED.get();
        if (checked != null) {
            return checked.functions(PRINCIPAL);
        }
        return context.getRoot().getStore(ExtensionContext.Namespace.create(TestFunctions.class))
                .getOrComputeIfAbsent(LocalApp.class, k -> LocalApp.load(Path.of("").toAbsolutePath()), LocalApp.class)
                .revision.functions(PRINCIPAL);
    }

    /** The app of the working directory, loaded once for a test run and closed after it. */
    private record LocalApp(Revision revision, Watchdog watchdog) implements AutoCloseable {
        static LocalApp load(Path dir) {
            Watchdog watchdog = new Watchdog();
            try {
                return new LocalApp(AppLoader.inProcess(watchdog, System::getenv, false).load(dir, app -> "test"), watchdog);
            } catch (LoadException e) {
                watchdog.close();
                throw new ParameterResolutionException("the app in " + dir + " does not load:\n" + e.getMessage());
            }
        }

        /** Closes the app's closeable functions, then stops the watchdog their calls used. */
        @Override
        public void close() throws InterruptedException {
            revision.retire().join();
            watchdog.close();
        }
    }
}
