package dev.nanolith.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanolith.runtime.dispatch.Identities;
import dev.nanolith.runtime.dispatch.WireClient;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.load.Problem;
import dev.nanolith.runtime.placement.Deployment;
import dev.nanolith.runtime.placement.Endpoint;
import dev.nanolith.runtime.placement.Placement;
import dev.nanolith.worker.Worker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Starts the workers of a deployment, one process per service, keeps each running (a worker that
 * ends is restarted with back-off; calls into its service fail fast with 503 meanwhile), replaces
 * one whose calls run on past their deadlines (a fresh worker takes new calls, the old one is
 * stopped), and stops them when the deployment retires. A deployment serves only once all of its
 * workers are up. A worker takes a free port and reports it; the others are told where it is.
 * Each replacement counts in {@code nanolith_worker_replacements_total}, by reason.
 */
public final class Workers {

    private static final System.Logger LOG = System.getLogger(Workers.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** A worker's heap limit unless its service sets {@code memory:}: past it the worker ends, and is started again. */
    private static final String HEAP = "256m";

    private final Set<WorkerProcess> running = ConcurrentHashMap.newKeySet();
    private final String platformSecret;
    private final Secrets secrets;
    private final AtomicLong secretsSent = new AtomicLong();
    private final Placement.Mode mode;
    private final Duration defaultTimeout;
    private final Jvm jvm;
    private final WireClient wire;
    private final MeterRegistry registry;
    private final Sandbox sandbox;
    private final Path work;
    private final int activations;
    private final Consumer<Deployment> retiring;
    private Started spare;
    private boolean warming;
    private boolean closed;

    /**
     * @param platformSecret what proves a connection between the platform's processes
     * @param secrets     the values of the secrets apps declare, which each worker is given for its own functions
     * @param wire        the control plane's connections to workers, closed when a worker goes
     * @param registry    where replacements are counted
     * @param work        where each worker's files are kept while it runs
     * @param activations how many ended calls each worker keeps as activation records until they are collected; 0 records none
     * @param retiring    told of a deployment that retires, once its calls have ended and before its workers stop
     */
    public Workers(String platformSecret, Secrets secrets, Placement.Mode mode, Duration defaultTimeout, WireClient wire, MeterRegistry registry, Sandbox sandbox,
                   Path work, int activations, Consumer<Deployment> retiring) {
        this.work = work;
        this.activations = activations;
        this.retiring = retiring;
        this.registry = registry;
        this.sandbox = sandbox;
        this.platformSecret = platformSecret;
        this.secrets = secrets;
        this.mode = mode;
        this.defaultTimeout = defaultTimeout;
        this.jvm = new Jvm();
        this.wire = wire;
    }

    /**
     * A worker's process before it hosts anything: started ahead and warm, in its sandbox, which
     * sees its inbox's {@code revision} and {@code libraries} folders, filled when it is given a revision.
     */
    private record Started(Process process, Path inbox) {

        void end() {
            Jvm.kill(process);
            Check.delete(inbox);
        }
    }

    /** A started worker with a heap of {@code heap}: the spare one, with the default heap, or a new one. */
    private Started take(String heap) {
        Started taken = null;
        synchronized (this) {
            if (spare != null && !spare.process().isAlive()) {
                spare.end();
                spare = null;
            }
            if (heap.equals(HEAP) && spare != null) {
                taken = spare;
                spare = null;
            }
        }
        return taken != null ? taken : launch(heap);
    }

    /** Starts the spare worker, unless there is one or one is being started. */
    public void warmUp() {
        synchronized (this) {
            if (spare != null || warming || closed) {
                return;
            }
            warming = true;
        }
        Started started = null;
        try {
            started = launch(HEAP);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "no spare worker: " + e.getMessage());
        }
        synchronized (this) {
            warming = false;
            if (started != null && spare == null && !closed) {
                spare = started;
                return;
            }
        }
        if (started != null) {
            started.end();
        }
    }

    private Started launch(String heap) {
        Path inbox = null;
        try {
            inbox = Files.createTempDirectory(Files.createDirectories(work), "worker-");
            Path revision = Files.createDirectories(inbox.resolve("revision"));
            Path libraries = Files.createDirectories(inbox.resolve("libraries"));
            ProcessBuilder builder = new ProcessBuilder(sandbox.wrap(jvm.command(Worker.class.getName(), heap, List.of()),
                    Map.of(revision, Sandbox.REVISION, libraries, Sandbox.LIBRARIES), Map.of()));
            // Nothing of the platform's environment: its settings come with its revision.
            builder.environment().clear();
            return new Started(jvm.start(builder), inbox);
        } catch (IOException e) {
            if (inbox != null) {
                Check.delete(inbox);
            }
            throw new UncheckedIOException("a worker cannot be started: " + e.getMessage(), e);
        }
    }

    /** Stops the spare worker, and the thread that starts processes once the workers have stopped. */
    public void close() {
        synchronized (this) {
            closed = true;
            if (spare != null) {
                spare.end();
                spare = null;
            }
        }
        jvm.close();
    }

    /** A hard link of {@code file} at {@code link}, or a copy where the two are on different file systems. */
    private static void link(Path file, Path link) throws IOException {
        try {
            Files.createLink(link, file);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(file, link);
        }
    }

    /** How the JVMs that run app code are started: workers, and the processes that check pushes. */
    Jvm jvm() {
        return jvm;
    }

    /** The sandbox of every process that runs app code. */
    Sandbox sandbox() {
        return sandbox;
    }

    /** How apps are split into workers. */
    public Placement.Mode mode() {
        return mode;
    }

    /** Starts a worker for every service of {@code deployment} and fills its endpoints; all or nothing. */
    public void start(Deployment deployment) throws LoadException {
        List<WorkerProcess> started = new CopyOnWriteArrayList<>();
        try {
            // As many starting at once as there are cores: each starting JVM keeps one busy, and more would only slow all down.
            try (ExecutorService starter = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors())) {
                List<CompletableFuture<Void>> ready = new ArrayList<>();
                for (String service : deployment.services()) {
                    WorkerProcess worker = new WorkerProcess(service, deployment, started);
                    started.add(worker);
                    ready.add(CompletableFuture.runAsync(() -> worker.start("deploy"), starter));
                }
                CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).join();
            }
        } catch (RuntimeException e) {
            started.parallelStream().forEach(WorkerProcess::close);
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new LoadException(Problem.of("workers", cause.getMessage()));
        }
        tellPeers(started);
        // All at once: each may take seconds to stop, and the platform's own stop waits for them.
        deployment.closeWhenRetired(() -> {
            retiring.accept(deployment);
            // None is started again once its deployment goes, though it ends before its turn to be stopped comes.
            started.forEach(worker -> worker.closed = true);
            started.parallelStream().forEach(WorkerProcess::close);
        });
    }

    /** A worker running now: the service of the revision of the app it serves, its process id, and since when it serves. */
    public record Running(String app, String revision, String service, long pid, Instant since) {
    }

    /** Every worker running now, by app, service and start. */
    public List<Running> running() {
        return running.stream().map(worker -> new Running(worker.deployment.app(), worker.deployment.id(), worker.service, worker.pid(),
                worker.since)).sorted(Comparator.comparing(Running::app).thenComparing(Running::service).thenComparing(Running::since)).toList();
    }

    /** The process id of each worker running now, by service name (the newest, while two deployments overlap). */
    public Map<String, Long> pids() {
        Map<String, Long> pids = new TreeMap<>();
        running.stream().sorted(Comparator.comparing(worker -> worker.deployment.loadedAt()))
                .forEach(worker -> pids.put(worker.service, worker.pid()));
        return pids;
    }

    /**
     * Sends the running workers of {@code app} whose functions declare the secret {@code name} the
     * current values of their secrets, and waits until each has them (up to five seconds each): the
     * next call they take sees them.
     *
     * @return how many workers have the new values
     */
    public int sendSecrets(String app, String name) {
        return (int) running.stream().filter(worker -> worker.deployment.app().equals(app)
                && worker.deployment.launch().secrets(worker.service).contains(name)).filter(WorkerProcess::sendSecrets).count();
    }

    /** Tells every worker of a deployment where the others are now. */
    private static void tellPeers(List<WorkerProcess> workers) {
        if (workers.size() < 2) {
            return;
        }
        Map<String, Endpoint> endpoints = workers.getFirst().deployment.endpoints();
        String line = "peers " + endpoints.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
        workers.forEach(worker -> worker.tell(line));
    }

    /** Waits up to a second for {@code thread} to end. */
    private static void join(Thread thread) {
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean waitFor(Process process, int seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** One service's worker, restarted with back-off when it ends, until it is closed. */
    private final class WorkerProcess implements AutoCloseable {
        private final String service;
        private final Deployment deployment;
        private final List<WorkerProcess> group;
        private volatile Process process;
        private volatile Writer control;
        private volatile Endpoint endpoint;
        /** The folder its files are copied into: the only one of the platform's it sees. */
        private volatile Path inbox;
        private volatile boolean closed;
        /** When its process last started serving. */
        private volatile Instant since;
        /** The secrets sent to it that it has not confirmed yet, by the number they were sent with. */
        private final Map<Long, CompletableFuture<Void>> awaitingSecrets = new ConcurrentHashMap<>();

        WorkerProcess(String service, Deployment deployment, List<WorkerProcess> group) {
            this.service = service;
            this.deployment = deployment;
            this.group = group;
        }

        /**
         * Starts the process and waits until it serves; a worker stopped meanwhile is not started.
         * Each start is a cold start of the service, timed in {@code nanolith_worker_start_seconds} by
         * {@code cause}: {@code deploy}, {@code restart} (it ended) or {@code replace} (it overran its deadlines).
         */
        synchronized void start(String cause) {
            if (closed) {
                throw new IllegalStateException("the worker of '" + service + "' is stopped");
            }
            long begun = System.nanoTime();
            Deployment.Launch launch = deployment.launch();
            Started taken = take(launch.heap(service, HEAP));
            try {
                // Its files, and in the sandbox its libraries where its check saw them, which the compiled app names.
                try (Stream<Path> files = Files.list(deployment.files())) {
                    for (Path file : files.toList()) {
                        Files.copy(file, taken.inbox().resolve("revision").resolve(file.getFileName()));
                    }
                }
                if (sandbox.active()) {
                    for (int i = 0; i < launch.libraries().size(); i++) {
                        Path jar = launch.libraries().get(i);
                        link(jar, taken.inbox().resolve("libraries").resolve(CheckProcesses.library(i, jar).getFileName()));
                    }
                }
            } catch (IOException e) {
                taken.end();
                throw new UncheckedIOException("the files of the worker of '" + service + "' cannot be prepared: " + e.getMessage(), e);
            }
            process = taken.process();
            inbox = taken.inbox();
            control = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            // The settings its app's config names, and the values of its own functions' secrets: nothing else reaches it.
            long secretsSeen = secrets.version();
            Map<String, String> settings = new TreeMap<>(launch.settings());
            settings.putAll(secrets.values(deployment.app(), launch.secrets(service)));
            try {
                tell("keys " + JSON.writeValueAsString(Identities.issue(platformSecret, deployment.app(), service, deployment.services())));
                tell("load " + JSON.writeValueAsString(new Worker.Load(sandbox.seen(inbox.resolve("revision"), Sandbox.REVISION),
                        deployment.app(), deployment.id(), service, launch.placement(), defaultTimeout.toMillis(), settings, activations)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Process started = process;
            Lines out = new Lines(started.getInputStream());
            Lines log = new Lines(started.getErrorStream());
            // What the app and the worker log: standard error, which the app writes to; its own report is standard output.
            // Read on platform threads, as the reports of check processes are (see CheckProcesses).
            WorkerLog forwarded = new WorkerLog(service);
            Thread logging = Thread.ofPlatform().daemon().name("worker log " + service).start(() -> {
                try {
                    for (String line; (line = log.next()) != null; ) {
                        forwarded.line(line);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
            CompletableFuture<Integer> port = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("worker " + service).start(() -> {
                try {
                    for (String line; (line = out.next()) != null; ) {
                        if (line.matches(Worker.READY + " \\d{1,5}") && !port.isDone()) {
                            port.complete(Integer.parseInt(line.substring(Worker.READY.length()).strip()));
                        } else if (line.matches(Worker.SECRETS + " \\d{1,18}")) {
                            CompletableFuture<Void> confirmed = awaitingSecrets.get(Long.parseLong(line.substring(Worker.SECRETS.length()).strip()));
                            if (confirmed != null) {
                                confirmed.complete(null);
                            }
                        } else if (line.startsWith(Worker.OVERDUE)) {
                            replace(line.substring(Worker.OVERDUE.length()).strip());
                        } else {
                            // Not the worker's report: the JVM's own words, such as why it could not start.
                            forwarded.line(line);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // The process ended; onExit below decides what happens next.
                }
                port.complete(-1);
            });
            int listening;
            try {
                listening = port.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                listening = -1;
            }
            if (listening < 0) {
                boolean ended = waitFor(started, 1);
                Jvm.kill(started);
                Check.delete(inbox);
                // What it said last, once its log is read to the end: the reason a JVM gives for not starting is there.
                join(logging);
                String said = forwarded.latest().isEmpty() ? " — see the log above" : ": " + String.join(" / ", forwarded.latest());
                throw new IllegalStateException(ended
                        ? "the worker of '" + service + "' ended with exit code " + started.exitValue() + " before it served" + said
                        : "the worker of '" + service + "' did not start within " + START_TIMEOUT.toSeconds() + " s" + said);
            }
            Timer.builder("nanolith.worker.start").description("Cold starts of a service's worker: from its start to serving, by cause")
                    .tags("app", deployment.app(), "service", service, "cause", cause).register(registry)
                    .record(System.nanoTime() - begun, TimeUnit.NANOSECONDS);
            since = Instant.now();
            endpoint = new Endpoint("127.0.0.1", listening);
            deployment.endpoints().put(service, endpoint);
            running.add(this);
            started.onExit().thenRun(() -> ended(started));
            if (secrets.version() != secretsSeen) {
                // A secret was set or removed while it started, maybe after its values were read.
                sendSecrets();
            }
        }

        /** Sends the worker the values of its functions' secrets as they are now; whether it has them within five seconds. */
        boolean sendSecrets() {
            CompletableFuture<Void> taken = new CompletableFuture<>();
            long n;
            try {
                // Read and sent in one step: of two changes at once, the values sent last are the newest.
                synchronized (awaitingSecrets) {
                    n = secretsSent.incrementAndGet();
                    awaitingSecrets.put(n, taken);
                    tell("secrets " + n + " " + JSON.writeValueAsString(secrets.values(deployment.app(), deployment.launch().secrets(service))));
                }
            } catch (IOException e) {
                return false;
            }
            try {
                taken.get(5, TimeUnit.SECONDS);
                return true;
            } catch (ExecutionException | TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                awaitingSecrets.remove(n);
            }
        }

        /** Sends the worker a line of its control pipe. */
        void tell(String line) {
            try {
                control.write(line + "\n");
                control.flush();
            } catch (IOException e) {
                // A worker that went is started again, and told then.
            }
        }

        /**
         * Gives this worker's calls to a fresh worker of the same revision and stops this one: one of
         * its calls runs on past its deadline, holding a thread (and maybe a core) for nothing.
         */
        private void replace(String why) {
            if (closed) {
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "the worker of ''{0}'' of {1}: {2}; a fresh worker takes its calls", service, deployment, why);
            count("overdue");
            Thread.ofVirtual().start(() -> {
                WorkerProcess fresh = new WorkerProcess(service, deployment, group);
                // In the group first: a deployment that retires meanwhile stops it too.
                group.add(fresh);
                try {
                    fresh.start("replace");
                } catch (RuntimeException e) {
                    group.remove(fresh);
                    LOG.log(System.Logger.Level.WARNING, "no fresh worker of ''{0}'': {1}", service, e.getMessage());
                    return;
                }
                group.remove(this);
                tellPeers(group);
                // Its calls in flight get a moment to end; the one past its deadline will not.
                stop(1);
                warmUp();
            });
        }

        private void count(String reason) {
            Counter.builder("nanolith.worker.replacements").description("Workers started again, or replaced, and why")
                    .tags("app", deployment.app(), "service", service, "reason", reason).register(registry).increment();
        }

        private void ended(Process ended) {
            if (closed) {
                return;
            }
            running.remove(this);
            forget();
            tellPeers(group);
            count("exited");
            LOG.log(System.Logger.Level.WARNING, "the worker of ''{0}'' of {1} ended with exit code {2}; starting it again",
                    service, deployment, ended.exitValue());
            Thread.ofVirtual().start(() -> {
                for (long backoff = 100; !closed; backoff = Math.min(backoff * 2, 5_000)) {
                    try {
                        Thread.sleep(backoff);
                        start("restart");
                        tellPeers(group);
                        LOG.log(System.Logger.Level.INFO, "the worker of ''{0}'' of {1} serves again", service, deployment);
                        // A spare again, if this one took it: once it serves, not beside its start.
                        warmUp();
                        return;
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "starting the worker of ''{0}'' again failed: {1}", service, e.getMessage());
                    }
                }
            });
        }

        long pid() {
            return process.pid();
        }

        /** Takes this worker's address out of its deployment, unless a fresh worker's is there now. */
        private void forget() {
            Endpoint own = endpoint;
            if (own != null) {
                deployment.endpoints().remove(service, own);
                wire.disconnect(List.of(own));
            }
        }

        @Override
        public void close() {
            stop(5);
        }

        /** Stops the worker: the end of its control pipe, then after {@code graceSeconds} a kill. */
        private synchronized void stop(int graceSeconds) {
            closed = true;
            running.remove(this);
            forget();
            Process p = process;
            if (p != null) {
                // The end of its control pipe stops a worker: its closeable functions are closed first.
                try {
                    control.close();
                } catch (IOException e) {
                    p.destroy();
                }
                if (!waitFor(p, graceSeconds)) {
                    Jvm.kill(p);
                    waitFor(p, 5);
                }
            }
            if (inbox != null) {
                Check.delete(inbox);
            }
        }
    }
}
