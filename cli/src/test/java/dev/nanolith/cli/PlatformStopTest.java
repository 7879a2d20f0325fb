package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing a platform started outlives it. Every process it starts carries its mark on the command
 * line, and at its stop it kills whatever still does: a process whose command line is as long as
 * a sandbox's (bubblewrap names every jar twice) included.
 */
class PlatformStopTest {

    @TempDir
    Path tmp;

    @Test
    void aProcessWithThePlatformsMarkDoesNotOutliveIt() throws Exception {
        String ours = "-Dnanolith.platform=" + ProcessHandle.current().pid() + "-";
        Platform platform = Platform.start(Platform.Options.loopback(0));
        Process stray = null;
        List<ProcessHandle> under = List.of();
        try {
            platform.deploy(TestApp.in(tmp.resolve("mark")).yaml("app: mark\n").source("mark/Echo.java", """
                    package mark;

                    import java.util.function.Function;

                    /** Returns its input. */
                    public class Echo implements Function<String, String> {
                        public String apply(String input) {
                            return input;
                        }
                    }
                    """).write());
            List<String> marks = marked(ours);
            assertFalse(marks.isEmpty(), "the platform's worker carries its mark");
            // A process the platform did not start as it starts them, as a sandbox's first process left behind would be:
            // its mark comes after a command line of some 20 kB.
            List<String> command = new ArrayList<>(List.of("bash", "-c", "sleep 60; :", "stray"));
            for (int i = 0; i < 200; i++) {
                command.add("--ro-bind-try /some/folder/lib/a-library-of-the-platform-" + i + ".jar");
            }
            command.add(marks.getFirst());
            stray = new ProcessBuilder(command).start();
            Thread.sleep(200);
            under = stray.descendants().toList();
        } finally {
            platform.close();
        }
        try {
            List<String> left = marked(ours);
            for (int i = 0; i < 50 && !left.isEmpty(); i++) {
                Thread.sleep(100);
                left = marked(ours);
            }
            assertEquals(List.of(), left, () -> "processes of this platform still run: " + described(ours));
            // Killed, it is gone once the JDK has collected its exit: isAlive() says so only then.
            assertTrue(stray.waitFor(5, TimeUnit.SECONDS), "the process with the platform's mark was left running");
        } finally {
            under.forEach(ProcessHandle::destroyForcibly);
            stray.destroyForcibly();
        }
    }

    /** The processes that carry a mark of this JVM's platforms: each one's pid, parent, state and last two arguments. */
    static List<String> described(String prefix) {
        List<String> found = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(process -> {
            try {
                Path proc = Path.of("/proc", String.valueOf(process.pid()));
                List<String> args = List.of(new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).split("\0"));
                if (args.stream().anyMatch(arg -> arg.startsWith(prefix))) {
                    String status = Files.readString(proc.resolve("status"));
                    found.add(process.pid() + " (parent " + process.parent().map(ProcessHandle::pid).orElse(-1L) + ", "
                            + status.lines().filter(l -> l.startsWith("State:")).findFirst().orElse("") + ") "
                            + String.join(" ", args.subList(Math.max(0, args.size() - 2), args.size())));
                }
            } catch (IOException e) {
                // the process ended as it was looked at
            }
        });
        return found;
    }

    /** The marks of this JVM's platforms that running processes carry, one per process, read from /proc. */
    static List<String> marked(String prefix) throws IOException {
        List<String> marks = new ArrayList<>();
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String line = new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8);
                    Stream.of(line.split("\0")).filter(arg -> arg.startsWith(prefix)).findFirst().ifPresent(marks::add);
                } catch (IOException e) {
                    // the process ended as it was looked at
                }
            }
        }
        return marks;
    }
}
