package dev.nanolith.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanolith.runtime.config.ConfigFile;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.load.Problem;
import dev.nanolith.worker.Checker;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The throw-away processes that check pushes ({@link Checker}): each checks one push and ends,
 * within a time and a memory limit, so that nothing an app's code does at push time — exit, loop,
 * exhaust memory — reaches the control plane or outlives its check. One is kept started and warm
 * for the next push.
 */
final class CheckProcesses implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CheckProcesses.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The heap limit of a check process, in {@code -Xmx} terms and for people. */
    private static final String HEAP = "512m", HEAP_TEXT = "512 MB";
    /** How many of its last lines of output a check process's failure shows. */
    private static final int TAIL = 20;

    private final Jvm jvm;
    private final Sandbox sandbox;
    private final Path work;
    private final Duration timeout;
    private Started spare;
    private boolean closed;

    /**
     * @param work    where each process's inbox is kept: the files of its push, the only ones it may write
     * @param timeout how long one check may take, start to end
     */
    CheckProcesses(Jvm jvm, Sandbox sandbox, Path work, Duration timeout) {
        this.jvm = jvm;
        this.sandbox = sandbox;
        this.work = work;
        this.timeout = timeout;
    }

    /** What runs once the app is compiled, while its tests go on: once a check, whatever the process reports. */
    @FunctionalInterface
    interface Compiled {
        void run() throws LoadException;
    }

    /** Starts the spare process, unless there is one, so that the next push does not wait for one. */
    synchronized void warmUp() {
        // The archive holds what a check process and a worker load and run, trained on the platform's own app.
        jvm.archive(Checker.class.getName(), HEAP, List.of(Checker.WARM_UP_ONLY));
        if (spare == null && !closed) {
            spare = start();
        }
    }

    /**
     * Checks one job in a process of its own; each stage's line goes to {@code progress} as the
     * process reports it, and its milliseconds into {@code stages}. The job's files are copied into
     * the process's inbox; what it writes there, the compiled app and its manifest, is copied into
     * the job's {@code out} once the app is compiled, and {@code compiled} is then run, while the
     * app's tests go on.
     *
     * @return how many of the app's tests passed
     * @throws LoadException with the app's problems, or with what ended the process: its time limit
     *                       (naming the test that was running), an exit of its own, its memory limit
     */
    int run(Checker.Job job, Map<String, Long> stages, Consumer<String> progress, Compiled compiled) throws LoadException {
        Started process;
        synchronized (this) {
            if (spare != null && !spare.process.isAlive()) {
                spare.end();
                spare = null;
            }
            process = spare != null ? spare : start();
            spare = null;
        }
        try {
            Checker.Job staged;
            try {
                staged = process.stage(job);
            } catch (IOException e) {
                throw new LoadException(Problem.of("platform", "the files of the check cannot be staged: " + e.getMessage()
                        + " — see that the data directory's disk has room, and push again"));
            }
            return process.check(staged, stages, progress, timeout, () -> {
                process.keep(job.out());
                compiled.run();
            });
        } finally {
            process.end();
        }
    }

    private Started start() {
        Path inbox = null;
        try {
            inbox = Files.createTempDirectory(Files.createDirectories(work), "check-");
            Path libraries = Files.createDirectories(inbox.resolve("libraries"));
            // Nothing of the platform's environment: what the app's config names comes with its job.
            // A check yields the cores to the workers that serve, as it warms up and as it runs.
            List<String> command = new ArrayList<>(Jvm.YIELDING);
            command.addAll(sandbox.wrap(jvm.command(Checker.class.getName(), HEAP, List.of()), Map.of(libraries, Sandbox.LIBRARIES),
                    Map.of(inbox, Sandbox.CHECK)));
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().clear();
            return new Started(jvm.start(builder), inbox, sandbox);
        } catch (IOException e) {
            if (inbox != null) {
                Check.delete(inbox);
            }
            throw new IllegalStateException("a check process cannot be started: " + e.getMessage(), e);
        }
    }

    /** Where a sandboxed process sees the {@code index}th library of its app: the same path in its check and in its workers. */
    static Path library(int index, Path jar) {
        return Sandbox.LIBRARIES.resolve(index + "-" + jar.getFileName());
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (spare != null) {
            spare.end();
            spare = null;
        }
    }

    /** One check process, from its start to its end; its output read as it comes. */
    private static final class Started {
        private final Process process;
        /** The only folder the process may write: the files of its push are copied in, it writes its own out. */
        private final Path inbox;
        private final Sandbox sandbox;
        /** Its report, line by line; a process that reports without end fills it, and is then no longer heard. */
        private final BlockingQueue<String> report = new LinkedBlockingQueue<>(10_000);
        private final Deque<String> tail = new ArrayDeque<>();

        Started(Process process, Path inbox, Sandbox sandbox) {
            this.process = process;
            this.inbox = inbox;
            this.sandbox = sandbox;
            Lines out = new Lines(process.getInputStream());
            Lines err = new Lines(process.getErrorStream());
            // Platform threads: a read from a pipe holds the thread that carries it, and enough such reads on virtual threads
            // would leave none to carry the gateway's calls.
            Thread.ofPlatform().daemon().name("check " + process.pid()).start(() -> {
                try {
                    for (String line; (line = out.next()) != null; ) {
                        report.offer(line);
                    }
                } catch (IOException e) {
                    // the process ended
                }
                report.offer("");
            });
            Thread.ofPlatform().daemon().name("check output " + process.pid()).start(() -> {
                try {
                    for (String line; (line = err.next()) != null; ) {
                        LOG.log(System.Logger.Level.INFO, "[check] " + line);
                        synchronized (tail) {
                            tail.addLast(line);
                            if (tail.size() > TAIL) {
                                tail.removeFirst();
                            }
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
        }

        int check(Checker.Job job, Map<String, Long> stages, Consumer<String> progress, Duration timeout, Compiled compiled)
                throws LoadException {
            long deadline = System.nanoTime() + timeout.toNanos();
            String doing = "while it started";
            boolean sent = false;
            boolean loaded = false;
            int passed = 0;
            while (true) {
                String line;
                try {
                    line = report.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LoadException(Problem.of("check", "the check was interrupted"));
                }
                if (line == null) {
                    Jvm.kill(process);
                    throw new LoadException(Problem.of(at(doing), "the check did not finish within " + timeout.toSeconds() + " s " + doing
                            + " — it was stopped; an app's tests and the start of its functions must end"));
                }
                if (line.isEmpty()) {
                    throw ended(doing);
                }
                if (line.equals(Checker.READY) && !sent) {
                    send(job);
                    sent = true;
                    doing = "while compiling and loading the app";
                } else if (line.matches("stage [a-z]+ \\d{1,9}( .*)?")) {
                    String[] parts = line.split(" ", 4);
                    long millis = Long.parseLong(parts[2]);
                    stages.put(parts[1], millis);
                    progress.accept(Check.stage(parts[1], millis, parts.length > 3 ? parts[3] : ""));
                    if (parts[1].equals("test")) {
                        passed = parts.length > 3 && parts[3].matches("\\d{1,9} passed") ? Integer.parseInt(parts[3].split(" ")[0]) : 0;
                        doing = "after the app's tests";
                    } else if (parts[1].equals("compile") && !loaded) {
                        doing = "after the app was loaded";
                        loaded = true;
                        compiled.run();
                    }
                } else if (line.startsWith("running ")) {
                    doing = "while running " + line.substring("running ".length());
                } else if (line.equals("passed")) {
                    return passed;
                } else if (line.startsWith("problems ")) {
                    try {
                        throw new LoadException(JSON.readValue(line.substring("problems ".length()), new TypeReference<List<Problem>>() { }));
                    } catch (IOException e) {
                        throw new LoadException(Problem.of("check", "the check process's report cannot be read: " + e.getMessage()));
                    }
                }
            }
        }

        private void send(Checker.Job job) throws LoadException {
            try (OutputStream in = process.getOutputStream()) {
                in.write((JSON.writeValueAsString(job) + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw ended("while it was given the app");
            }
        }

        /** Copies what the process wrote, the compiled app and its manifest, into {@code out}. */
        void keep(Path out) throws LoadException {
            try {
                for (String file : List.of(Checker.COMPILED, Checker.MANIFEST)) {
                    Files.copy(inbox.resolve("out").resolve(file), out.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new LoadException(Problem.of("platform", "the files of the check cannot be kept: " + e.getMessage()));
            }
        }

        /** What the process's end says, when it ended before its report did. */
        private LoadException ended(String doing) {
            int code;
            try {
                code = process.waitFor(5, TimeUnit.SECONDS) ? process.exitValue() : -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                code = -1;
            }
            String output;
            synchronized (tail) {
                output = String.join("\n", tail);
            }
            String why = output.contains("OutOfMemoryError") ? "ran out of memory (its limit is " + HEAP_TEXT + ") " + doing
                    + " — an app's tests and functions must fit in it"
                    : output.contains("StackOverflowError") ? "ended with a stack overflow " + doing
                    : "ended with exit code " + code + " " + doing + " — System.exit and Runtime.halt are not allowed in an app";
            return new LoadException(new Problem(at(doing), 0, "the check process " + why, tail.isEmpty() ? List.of() : List.copyOf(tail)));
        }

        /** Where a problem found while doing something is: the app's tests, or the app itself. */
        private static String at(String doing) {
            return doing.startsWith("while running ") ? "src/test/java" : "src/main/java";
        }

        /**
         * The job as the process sees it: its app's files copied into the inbox, where it writes too,
         * and in the sandbox its libraries, at the paths its workers will see them at (see {@link #library}).
         */
        Checker.Job stage(Checker.Job job) throws IOException {
            // What a check reads of an app, nothing else of its folder (a build's output, a .env); a link is copied as a link,
            // which points nowhere the sandbox shows.
            Path app = Files.createDirectories(inbox.resolve("app"));
            Files.copy(job.dir().resolve(ConfigFile.NAME), app.resolve(ConfigFile.NAME), LinkOption.NOFOLLOW_LINKS);
            if (Files.isDirectory(job.dir().resolve("src"))) {
                try (Stream<Path> files = Files.walk(job.dir().resolve("src"))) {
                    for (Path file : files.toList()) {
                        Path target = app.resolve(job.dir().relativize(file).toString());
                        if (Files.isDirectory(file)) {
                            Files.createDirectories(target);
                        } else {
                            Files.copy(file, target, LinkOption.NOFOLLOW_LINKS);
                        }
                    }
                }
            }
            List<Path> jars = new ArrayList<>();
            for (int i = 0; i < job.libraries().size(); i++) {
                Path jar = job.libraries().get(i);
                if (sandbox.active()) {
                    Files.copy(jar, inbox.resolve("libraries").resolve(library(i, jar).getFileName()));
                }
                jars.add(sandbox.seen(jar, library(i, jar)));
            }
            Path outside = Files.createDirectories(inbox.resolve("out"));
            return new Checker.Job(sandbox.seen(app, Sandbox.CHECK.resolve("app")), job.app(), job.revision(), job.placement(),
                    job.defaultTimeoutMillis(), jars, job.settings(), job.taken(), job.tests(), job.secretsRequired(), sandbox.seen(outside, Sandbox.CHECK.resolve("out")));
        }

        /** Ends the process, if the check has not ended it already, and removes its inbox. */
        void end() {
            Jvm.kill(process);
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Check.delete(inbox);
        }
    }
}
