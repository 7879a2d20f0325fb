package dev.nanolith.runtime.load;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What of the platform an app sees: the JDK, the Nanolith API and Jackson's annotations (which the
 * platform reads on the app's types) — and, for the app's tests, JUnit. Nothing else: no Helidon,
 * no JGit, no class of the platform's own. An app's classes and the libraries it declares load
 * behind {@link #loader}, and compile against {@link #classPath}.
 */
public final class OfferedClasses {

    /** What every app's code sees, by class name prefix: the API's own package, not its subpackages. */
    private static final List<String> FOR_APPS = List.of("dev.nanolith.", "com.fasterxml.jackson.annotation.");
    /** What an app's tests see besides. */
    private static final List<String> FOR_TESTS = List.of("org.junit.", "org.opentest4j.", "org.apiguardian.");

    /** Classes whose jars (or folders) make the class path an app compiles against. */
    private static final List<String> APP_CLASS_PATH = List.of("dev.nanolith.Nano", "com.fasterxml.jackson.annotation.JsonProperty");
    private static final List<String> TEST_CLASS_PATH = List.of("org.junit.jupiter.api.Test", "org.junit.platform.commons.annotation.Testable",
            "org.opentest4j.AssertionFailedError", "org.apiguardian.api.API");

    private OfferedClasses() {
    }

    /** The loader an app's libraries and classes load behind: the JDK's classes, and those offered from {@code platform}. */
    public static ClassLoader loader(String name, ClassLoader platform) {
        return new Offered(name, null, platform, FOR_APPS);
    }

    /** The loader an app's tests load behind: the app's classes ({@code revision}), then JUnit from {@code platform}. */
    public static ClassLoader forTests(String name, ClassLoader revision, ClassLoader platform) {
        return new Offered(name, revision, platform, FOR_TESTS);
    }

    /** The class path an app compiles against: the API and Jackson's annotations, as this platform runs them. */
    public static List<String> classPath() {
        return locate(APP_CLASS_PATH);
    }

    /** The class path an app's tests compile against besides the app's: JUnit's API. */
    public static List<String> testClassPath() {
        return locate(TEST_CLASS_PATH);
    }

    private static List<String> locate(List<String> classes) {
        Set<String> paths = new LinkedHashSet<>();
        for (String name : classes) {
            try {
                Class<?> type = Class.forName(name, false, OfferedClasses.class.getClassLoader());
                paths.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (ClassNotFoundException | URISyntaxException | RuntimeException e) {
                throw new IllegalStateException("the platform cannot find " + name + " to offer apps: " + e, e);
            }
        }
        return List.copyOf(paths);
    }

    /** The JDK's classes, then {@code first}'s, then those of {@code source} whose names start with one of {@code prefixes}. */
    private static final class Offered extends ClassLoader {

        static {
            registerAsParallelCapable();
        }

        private final ClassLoader first;
        private final ClassLoader source;
        private final List<String> prefixes;

        Offered(String name, ClassLoader first, ClassLoader source, List<String> prefixes) {
            super(name, ClassLoader.getPlatformClassLoader());
            this.first = first;
            this.source = source;
            this.prefixes = prefixes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (first != null) {
                try {
                    return first.loadClass(name);
                } catch (ClassNotFoundException e) {
                    // not the app's: maybe offered
                }
            }
            if (offered(name)) {
                return source.loadClass(name);
            }
            throw new ClassNotFoundException(name + " is not offered to apps — an app sees the JDK, the Nanolith API and the libraries it"
                    + " declares in nanolith.yaml");
        }

        private boolean offered(String name) {
            for (String prefix : prefixes) {
                // dev.nanolith.X is the API; dev.nanolith.runtime.X and other subpackages are the platform's own.
                if (name.startsWith(prefix) && (!prefix.equals("dev.nanolith.") || name.indexOf('.', prefix.length()) < 0)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A class path of {@code entries}, as javac takes it. */
    static String join(List<String> entries) {
        return String.join(File.pathSeparator, entries);
    }
}
