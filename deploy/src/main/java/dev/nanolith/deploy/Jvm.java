package dev.nanolith.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * How the platform starts the JVMs that run app code — workers and check processes: this JDK,
 * the platform's class path, a heap limit after which the process ends rather than limps on,
 * and a class-data archive (CDS) that lets each start in about half the time.
 */
final class Jvm {

    private static final System.Logger LOG = System.getLogger(Jvm.class.getName());

    /**
     * The class-data archive: classes parsed and verified once, mapped by every later process.
     * Kept per user, for the JDK and class path it was made with.
     */
    private static final Path CLASS_ARCHIVE = classArchive();
    /** How long an archive may take to be written: younger files of another platform are left alone. */
    private static final Duration ARCHIVE_IN_PROGRESS = Duration.ofMinutes(10);

    private final AtomicBoolean archiving = new AtomicBoolean();

    /** A process to be started: its command, and the archive it writes as it exits (null: none). */
    record Command(List<String> line, Path archive) {
    }

    /**
     * The command that runs {@code mainClass} with {@code args} in a JVM whose heap is at most
     * {@code heap} (as {@code -Xmx} takes it); a process that runs out of it ends with exit code 3.
     *
     * @param mayArchive whether the process may be the one that writes the class-data archive as it
     *                   exits (it must then be stopped, not killed: see {@link #keep})
     */
    Command command(String mainClass, String heap, List<String> args, boolean mayArchive) {
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Many small processes: the simplest collector keeps each one's memory down.
                "-Xmx" + heap, "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
                // One line a record (level, logger, message; the cause's lines under it): the control plane logs each with its time.
                "-Djava.util.logging.SimpleFormatter.format=%4$s %3$s: %5$s%6$s%n"));
        Path archive = mayArchive ? claimArchive() : null;
        if (archive != null) {
            line.add("-XX:ArchiveClassesAtExit=" + archive);
        } else if (Files.isRegularFile(CLASS_ARCHIVE)) {
            line.add("-XX:SharedArchiveFile=" + CLASS_ARCHIVE);
        }
        line.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        line.addAll(args);
        return new Command(List.copyOf(line), archive);
    }

    /**
     * Where the first process started without an archive writes one when it stops, to be moved
     * into place then; null when there is an archive, or one is being made.
     */
    private Path claimArchive() {
        if (Files.isRegularFile(CLASS_ARCHIVE) || !archiving.compareAndSet(false, true)) {
            return null;
        }
        try {
            Files.createDirectories(CLASS_ARCHIVE.getParent());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "processes start without a class-data archive: " + e.getMessage());
            return null;
        }
        return CLASS_ARCHIVE.resolveSibling(CLASS_ARCHIVE.getFileName() + "." + ProcessHandle.current().pid());
    }

    /** Moves the archive a process wrote as it stopped into place, and removes older ones. */
    static void keep(Path archive) {
        if (archive == null || !Files.isRegularFile(archive)) {
            return;
        }
        try {
            Files.move(archive, CLASS_ARCHIVE, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "the class-data archive was not kept: " + e.getMessage());
            return;
        }
        // Archives of earlier builds, and ones left half-written by processes that were killed; not those being written now.
        Instant old = Instant.now().minus(ARCHIVE_IN_PROGRESS);
        try (Stream<Path> files = Files.list(CLASS_ARCHIVE.getParent())) {
            files.filter(f -> f.getFileName().toString().startsWith("services-") && !f.equals(CLASS_ARCHIVE))
                    .filter(f -> modifiedBefore(f, old)).forEach(Jvm::delete);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "older class-data archives were not removed: " + e.getMessage());
        }
    }

    /** Where the archive for this JDK and class path is kept: a name made of both, in the user's cache. */
    private static Path classArchive() {
        StringBuilder key = new StringBuilder(System.getProperty("java.home")).append(System.getProperty("java.vm.version"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            File file = new File(entry);
            key.append(entry).append(file.length()).append(file.lastModified());
        }
        String cache = System.getenv("XDG_CACHE_HOME");
        Path dir = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
        return dir.resolve("nanolith").resolve("services-" + Integer.toHexString(key.toString().hashCode()) + ".jsa");
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete " + file + ": " + e.getMessage());
        }
    }

    private static boolean modifiedBefore(Path file, Instant time) {
        try {
            return Files.getLastModifiedTime(file).toInstant().isBefore(time);
        } catch (IOException e) {
            return false;
        }
    }
}
