package dev.nanolith.deploy;

import dev.nanolith.worker.Worker;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How the platform starts the JVMs that run app code — workers and check processes: this JDK,
 * the platform's class path, a heap limit after which the process ends rather than limps on,
 * and a class archive that more than halves the time each takes to start. On JDK 25 and later the
 * archive is an ahead-of-time cache (JEP 483, 514, 515: classes loaded and linked, and the
 * profiles of their hot methods); before, a class-data archive (JEP 350). It is written by a
 * process that runs no app code, only the platform's own, since every process that runs app
 * code maps it.
 */
final class Jvm {

    private static final System.Logger LOG = System.getLogger(Jvm.class.getName());

    /** Whether this JDK writes an ahead-of-time cache in one run (JDK 25, JEP 514). */
    private static final boolean AOT = Runtime.version().feature() >= 25;
    /** The class path of the processes that run app code (see {@link #classPath()}). */
    static final String CLASS_PATH = classPath();
    /**
     * The class archive: classes parsed, verified (and on JDK 25, linked and profiled) once,
     * mapped by every later process. Kept per user, for the JDK and class path it was made with.
     */
    static final Path CLASS_ARCHIVE = classArchive();
    /**
     * What a process that must not slow down the workers that serve is started under: a lower
     * priority ({@code nice(1)}, where there is one).
     */
    static final List<String> YIELDING = Files.isExecutable(Path.of("/usr/bin/nice")) ? List.of("/usr/bin/nice", "-n", "10") : List.of();
    /** How long an archive may take to be written: younger files of another platform are left alone. */
    private static final Duration ARCHIVE_IN_PROGRESS = Duration.ofMinutes(10);

    /** The process that writes the archive, while it runs: it ends with the platform, unfinished. Guarded by this. */
    private Process archiver;
    /** The thread that starts and waits for the archive's process, and removes its files when it did not finish. Guarded by this. */
    private Thread archiveThread;
    /** Whether {@link #close} was called: no archive process starts after it. Guarded by this. */
    private boolean closed;
    /** An option on the command line of every process started here, which tells them from any other platform's. */
    private final String mark = "-Dnanolith.platform=" + ProcessHandle.current().pid() + "-" + UUID.randomUUID();
    /**
     * The one thread that starts every process: the sandbox kills a process when the thread that
     * started it ends (Linux's parent-death signal follows the thread), so that thread lives as
     * long as the platform does.
     */
    private final ExecutorService launcher = Executors.newSingleThreadExecutor(task -> Thread.ofPlatform().daemon()
            .name("nanolith-launcher").unstarted(task));

    /**
     * Ends the launcher thread, once every process it started has been stopped, and kills what of
     * them is left (any process whose command line carries this platform's mark) and the process
     * that writes the archive, if it still runs: the next platform writes it again.
     */
    void close() {
        launcher.shutdown();
        try {
            launcher.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Thread writing;
        synchronized (this) {
            closed = true;
            writing = archiveThread;
            if (archiver != null) {
                kill(archiver);
            }
        }
        // Its files are removed once its process has ended, before the JVM may end.
        if (writing != null) {
            try {
                writing.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // A sandbox that was setting up as its launcher ended can leave its own first process behind, no longer under
        // this one: every process started here carries this platform's mark. One killed mid-setup may still be making
        // that first process, which a second look a moment later finds.
        List<ProcessHandle> left = ProcessHandle.allProcesses().filter(this::marked).toList();
        left.forEach(ProcessHandle::destroyForcibly);
        if (!left.isEmpty()) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ProcessHandle.allProcesses().filter(this::marked).forEach(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * Whether {@code process} carries this platform's mark. Its command line is read from
     * {@code /proc} where there is one: the JDK gives no arguments for a command line as long as a
     * sandbox's (bubblewrap's names every jar twice).
     */
    private boolean marked(ProcessHandle process) {
        try {
            byte[] line = Files.readAllBytes(Path.of("/proc", String.valueOf(process.pid()), "cmdline"));
            return List.of(new String(line, StandardCharsets.UTF_8).split("\0")).contains(mark);
        } catch (IOException e) {
            return process.info().arguments().map(arguments -> List.of(arguments).contains(mark)).orElse(false);
        }
    }

    /** Starts a process from the launcher thread. */
    Process start(ProcessBuilder builder) throws IOException {
        try {
            return launcher.submit(builder::start).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting a process", e);
        }
    }

    /**
     * The command that runs {@code mainClass} with {@code args} in a JVM whose heap is at most
     * {@code heap} (as {@code -Xmx} takes it); a process that runs out of it ends with exit code 3.
     */
    List<String> command(String mainClass, String heap, List<String> args) {
        List<String> line = new ArrayList<>(options(heap));
        line.add(mark);
        if (Files.isRegularFile(CLASS_ARCHIVE)) {
            line.add((AOT ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + CLASS_ARCHIVE);
        }
        line.addAll(List.of("-cp", CLASS_PATH, mainClass));
        line.addAll(args);
        return List.copyOf(line);
    }

    /** The JDK and the options of every process that runs app code, the one that writes the archive included. */
    private static List<String> options(String heap) {
        List<String> line = new ArrayList<>(List.of(java(), "-Xmx" + heap,
                // Many small processes: the simplest collector keeps each one's memory down.
                "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
                // One line a record (level, logger, message; the cause's lines under it): the control plane logs each with its time.
                "-Djava.util.logging.SimpleFormatter.format=%4$s %3$s: %5$s%6$s%n",
                // Their environment is empty, so no locale says it: what they print is UTF-8, as the control plane reads it.
                "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8"));
        if (AOT) {
            // An archive that does not fit (another JDK's) is passed over in silence: standard output is the control plane's.
            line.add("-Xlog:aot=off");
        }
        return line;
    }

    /**
     * Writes the class archive in the background, when there is none yet: a process runs what
     * workers and check processes run — {@code mainClass} with {@code args}, with a heap of
     * {@code heap} — and ends, writing the archive as it exits; the archive is then moved into place.
     */
    void archive(String mainClass, String heap, List<String> args) {
        if (Files.isRegularFile(CLASS_ARCHIVE)) {
            return;
        }
        Thread thread = Thread.ofVirtual().name("class archive").unstarted(() -> {
            Path written = CLASS_ARCHIVE.resolveSibling(CLASS_ARCHIVE.getFileName() + "." + ProcessHandle.current().pid());
            Path scratch = null;
            try {
                Files.createDirectories(CLASS_ARCHIVE.getParent());
                // Its temporary files in a folder of its own, removed after it: a run killed as the platform stops leaves none.
                scratch = Files.createTempDirectory("nanolith-archive-");
                List<String> line = new ArrayList<>(YIELDING);
                line.addAll(options(heap));
                line.add(mark);
                line.add("-Djava.io.tmpdir=" + scratch);
                line.addAll(List.of((AOT ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + written, "-cp", CLASS_PATH, mainClass));
                line.addAll(args);
                Process process;
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    process = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    archiver = process;
                }
                if (process.waitFor(ARCHIVE_IN_PROGRESS.toSeconds(), TimeUnit.SECONDS) && process.exitValue() == 0) {
                    keep(written);
                } else {
                    kill(process);
                    LOG.log(System.Logger.Level.WARNING, "the class archive was not written; processes start without one");
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "processes start without a class archive: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                synchronized (this) {
                    archiver = null;
                }
                if (scratch != null) {
                    Check.delete(scratch);
                }
                delete(written);
                // The JDK's record of the training run, left when the process was killed.
                delete(written.resolveSibling(written.getFileName() + ".config"));
            }
        });
        // One archive a platform: a second call, or one after close, writes none.
        synchronized (this) {
            if (closed || archiveThread != null) {
                return;
            }
            archiveThread = thread;
        }
        thread.start();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Moves a written archive into place, and removes older ones. */
    private static void keep(Path archive) {
        if (!Files.isRegularFile(archive)) {
            return;
        }
        try {
            Files.move(archive, CLASS_ARCHIVE, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "the class archive was not kept: " + e.getMessage());
            return;
        }
        // Archives of earlier builds, and ones left half-written by processes that were killed; not those being written now.
        Instant old = Instant.now().minus(ARCHIVE_IN_PROGRESS);
        try (Stream<Path> files = Files.list(CLASS_ARCHIVE.getParent())) {
            files.filter(f -> f.getFileName().toString().startsWith("services-") && !f.equals(CLASS_ARCHIVE))
                    .filter(f -> modifiedBefore(f, old)).forEach(Jvm::delete);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "older class archives were not removed: " + e.getMessage());
        }
    }

    /**
     * The class path of the processes that run app code: the platform's jars. A folder of classes
     * (a module's own, as a build runs its tests) is left out when the jars hold the worker, since
     * the class archive takes jars only; otherwise the whole class path, without an archive.
     */
    private static String classPath() {
        String all = System.getProperty("java.class.path");
        List<String> jars = Stream.of(all.split(File.pathSeparator)).filter(entry -> Files.isRegularFile(Path.of(entry))).toList();
        try {
            String worker = Path.of(Worker.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            return jars.contains(worker) ? String.join(File.pathSeparator, jars) : all;
        } catch (URISyntaxException | RuntimeException e) {
            return all;
        }
    }

    /** Where the archive for this JDK and class path is kept: a name made of both, in the user's cache. */
    private static Path classArchive() {
        StringBuilder key = new StringBuilder(System.getProperty("java.home")).append(System.getProperty("java.vm.version"));
        for (String entry : CLASS_PATH.split(File.pathSeparator)) {
            File file = new File(entry);
            key.append(entry).append(file.length()).append(file.lastModified());
        }
        String cache = System.getenv("XDG_CACHE_HOME");
        Path dir = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
        return dir.resolve("nanolith").resolve("services-" + Integer.toHexString(key.toString().hashCode()) + (AOT ? ".aot" : ".jsa"));
    }

    /**
     * Kills {@code process} and every process under it: a sandbox's own processes, which would
     * otherwise outlive it when it is killed as it sets up.
     */
    static void kill(Process process) {
        List<ProcessHandle> under = process.descendants().toList();
        process.destroyForcibly();
        under.forEach(ProcessHandle::destroyForcibly);
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
