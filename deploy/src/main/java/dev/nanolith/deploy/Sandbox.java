package dev.nanolith.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The operating system's sandbox around every process that runs app code, with bubblewrap
 * ({@code bwrap}, Debian package {@code bubblewrap}) on Linux: the process sees the system's
 * libraries, the JDK and the platform's class path read-only, the files it is given, a private
 * {@code /tmp} and its own process ids — not the data directory, the admin token or another app's
 * files. Its environment is what the platform gives it, nothing of its own. Where bubblewrap is
 * missing or cannot run (no user namespaces), processes run without it and the platform says so.
 */
public final class Sandbox {

    /** Whether app code may run without the sandbox. */
    public enum Policy {
        /** The sandbox where bubblewrap runs; without it where it does not, said at start and in {@code /health}. */
        AUTO,
        /** The sandbox, or no platform at all. */
        REQUIRED
    }

    /** Where a check process sees its inbox (writable), and the libraries copied into it (read-only). */
    static final Path CHECK = Path.of("/nanolith/check"), LIBRARIES = Path.of("/nanolith/libraries");
    /** Where a worker sees its revision's files. */
    static final Path REVISION = Path.of("/nanolith/revision");

    /** What {@code /} holds that the JDK and the system's libraries need, read-only. */
    private static final List<String> SYSTEM = List.of("/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin",
            "/etc/alternatives", "/etc/ld.so.cache", "/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/ssl",
            "/etc/ca-certificates", "/etc/localtime", "/etc/passwd", "/etc/group");

    private final String bwrap;
    private final String missing;

    private Sandbox(String bwrap, String missing) {
        this.bwrap = bwrap;
        this.missing = missing;
    }

    /**
     * Finds bubblewrap and tries it once.
     *
     * @throws IllegalStateException when {@code policy} requires the sandbox and it cannot run, saying why
     */
    public static Sandbox detect(Policy policy) {
        String bwrap = onPath("bwrap");
        String missing = bwrap == null ? "bubblewrap (bwrap) is not installed — install it (Debian: apt-get install bubblewrap)"
                : tryOnce(bwrap);
        if (missing != null && policy == Policy.REQUIRED) {
            throw new IllegalStateException("the sandbox is required, but " + missing);
        }
        if (missing != null) {
            System.getLogger(Sandbox.class.getName()).log(System.Logger.Level.WARNING,
                    "app code runs without an OS sandbox: " + missing + "; --sandbox required makes this an error");
        }
        return new Sandbox(missing == null ? bwrap : null, missing);
    }

    /** Whether processes run in the sandbox. */
    public boolean active() {
        return bwrap != null;
    }

    /** What {@code /health} says of the sandbox: {@code bubblewrap}, or why there is none. */
    public String describe() {
        return active() ? "bubblewrap" : "none: " + missing;
    }

    /** Where a process sees {@code host}, mounted at {@code inside}: there in the sandbox, where it is without one. */
    Path seen(Path host, Path inside) {
        return active() ? inside : host;
    }

    /**
     * {@code command} (a JVM of this JDK on the platform's class path) run in the sandbox, seeing
     * the keys of {@code readable} read-only and those of {@code writable} writable, each at the path
     * it maps to; the command unchanged when there is no sandbox.
     */
    List<String> wrap(List<String> command, Map<Path, Path> readable, Map<Path, Path> writable) {
        if (!active()) {
            return command;
        }
        // The sandbox dies with the thread that started it (see Jvm#start): a process never outlives the platform.
        List<String> line = new ArrayList<>(List.of(bwrap, "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc",
                "--unshare-uts", "--unshare-cgroup-try", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"));
        for (String system : SYSTEM) {
            Path path = Path.of(system);
            if (Files.isSymbolicLink(path)) {
                line.addAll(List.of("--symlink", readLink(path), system));
            } else {
                line.addAll(List.of("--ro-bind-try", system, system));
            }
        }
        Set<Path> platform = new LinkedHashSet<>();
        platform.add(Path.of(System.getProperty("java.home")));
        for (String entry : Jvm.CLASS_PATH.split(File.pathSeparator)) {
            platform.add(Path.of(entry).toAbsolutePath());
        }
        platform.add(Jvm.CLASS_ARCHIVE);
        for (Path path : platform) {
            line.addAll(List.of("--ro-bind-try", path.toString(), path.toString()));
        }
        writable.forEach((host, inside) -> line.addAll(List.of("--bind", host.toAbsolutePath().toString(), inside.toString())));
        readable.forEach((host, inside) -> line.addAll(List.of("--ro-bind", host.toAbsolutePath().toString(), inside.toString())));
        line.addAll(List.of("--chdir", "/tmp", "--"));
        line.addAll(command);
        return line;
    }

    private static String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return link.toString();
        }
    }

    /** Why bubblewrap cannot run here as workers run in it, or null when it runs. */
    private static String tryOnce(String bwrap) {
        try {
            Process p = new ProcessBuilder(new Sandbox(bwrap, null).wrap(List.of("true"), Map.of(), Map.of())).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "bubblewrap did not start within 10 s";
            }
            String said = new String(p.getInputStream().readAllBytes()).strip();
            return p.exitValue() == 0 ? null : "bubblewrap cannot run here (" + (said.isEmpty() ? "exit code " + p.exitValue() : said)
                    + ") — it needs user namespaces, or to run as root";
        } catch (IOException e) {
            return "bubblewrap cannot be started: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while trying bubblewrap";
        }
    }

    private static String onPath(String program) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path).split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
