package dev.nanolith.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.load.Problem;
import dev.nanolith.worker.Checker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

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
    private final Map<String, String> environment;
    private final Duration timeout;
    private Started spare;
    private boolean closed;

    /**
     * @param environment the settings the app's config and tests see as their environment
     * @param timeout     how long one check may take, start to end
     */
    CheckProcesses(Jvm jvm, Map<String, String> environment, Duration timeout) {
        this.jvm = jvm;
        this.environment = Map.copyOf(environment);
        this.timeout = timeout;
    }

    /** Starts the spare process, so that the first push does not wait for one. */
    synchronized void warmUp() {
        if (spare == null && !closed) {
            spare = start();
        }
    }

    /**
     * Checks one job in a process of its own; each stage's line goes to {@code progress} as the
     * process reports it, and its milliseconds into {@code stages}.
     *
     * @return how many of the app's tests passed
     * @throws LoadException with the app's problems, or with what ended the process: its time limit
     *                       (naming the test that was running), an exit of its own, its memory limit
     */
    int run(Checker.Job job, Map<String, Long> stages, Consumer<String> progress) throws LoadException {
        Started process;
        synchronized (this) {
            process = spare != null ? spare : start();
            spare = null;
        }
        try {
            return process.check(job, stages, progress, timeout);
        } finally {
            process.end();
            // The next one warms up while the push goes on.
            Thread.ofVirtual().start(this::warmUp);
        }
    }

    private Started start() {
        // Ended by force once its report is read: it uses the class-data archive, and never writes one.
        Jvm.Command command = jvm.command(Checker.class.getName(), HEAP, List.of(), false);
        ProcessBuilder builder = new ProcessBuilder(command.line());
        builder.environment().putAll(environment);
        try {
            return new Started(builder.start());
        } catch (IOException e) {
            throw new IllegalStateException("a check process cannot be started: " + e.getMessage(), e);
        }
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
        private final BlockingQueue<String> report = new LinkedBlockingQueue<>();
        private final Deque<String> tail = new ArrayDeque<>();

        Started(Process process) {
            this.process = process;
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
            Thread.ofVirtual().name("check " + process.pid()).start(() -> {
                try {
                    for (String line; (line = out.readLine()) != null; ) {
                        report.add(line);
                    }
                } catch (IOException e) {
                    // the process ended
                }
                report.add("");
            });
            Thread.ofVirtual().name("check output " + process.pid()).start(() -> {
                try {
                    for (String line; (line = err.readLine()) != null; ) {
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

        int check(Checker.Job job, Map<String, Long> stages, Consumer<String> progress, Duration timeout) throws LoadException {
            long deadline = System.nanoTime() + timeout.toNanos();
            String doing = "while it started";
            boolean sent = false;
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
                    process.destroyForcibly();
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
                } else if (line.startsWith("stage ")) {
                    String[] parts = line.split(" ", 4);
                    long millis = Long.parseLong(parts[2]);
                    stages.put(parts[1], millis);
                    progress.accept(Check.stage(parts[1], millis, parts.length > 3 ? parts[3] : ""));
                    if (parts[1].equals("test")) {
                        passed = parts.length > 3 && parts[3].endsWith(" passed") ? Integer.parseInt(parts[3].split(" ")[0]) : 0;
                        doing = "after the app's tests";
                    } else if (parts[1].equals("compile")) {
                        doing = "after the app was loaded";
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

        /** Ends the process, if the check has not ended it already. */
        void end() {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
