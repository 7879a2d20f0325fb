package dev.nanolith.cli;

import dev.nanolith.runtime.Revision;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.load.Problem;
import dev.nanolith.runtime.placement.Endpoint;
import dev.nanolith.runtime.placement.Placement;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Starts one JVM per service that a revision places outside this process, keeps each running
 * (a process that dies is restarted with back-off; calls into it fail fast meanwhile), and
 * stops them when the revision retires. A revision serves only once all of its services are up.
 */
final class Supervisor {

    /** The line a service process prints when it serves. */
    static final String READY = "nanolith-service-ready";

    private static final System.Logger LOG = System.getLogger(Supervisor.class.getName());
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    /**
     * The class-data archive of service processes (CDS): classes parsed and verified once, mapped
     * by every later process, which then starts in about half the time. Kept per user, for the
     * JDK and class path it was made with.
     */
    private static final Path CLASS_ARCHIVE = classArchive();
    /** How long an archive may take to be written: younger files of another platform are left alone. */
    private static final Duration ARCHIVE_IN_PROGRESS = Duration.ofMinutes(10);

    private final Set<ServiceProcess> running = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean archiving = new AtomicBoolean();
    private final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();
    private final Map<String, String> environment;
    private final String secret;
    private final Placement.Mode mode;
    private final Path work;

    /**
     * @param work where the files of service processes are kept while they run — the compiled app,
     *             each process's data directory — inside the platform's own data directory, so that
     *             a process killed before it could clean up leaves nothing beyond the platform's
     */
    Supervisor(Map<String, String> environment, String secret, Placement.Mode mode, Path work) {
        this.environment = Map.copyOf(environment);
        this.secret = secret;
        this.mode = mode;
        this.work = work;
    }

    /**
     * Starts the processes of {@code services} for {@code revision}, loaded from {@code dir}, and
     * fills its endpoints; all or nothing.
     */
    void start(Revision revision, Path dir, Set<String> services) throws LoadException {
        Path compiled;
        try {
            compiled = Files.createTempFile(Files.createDirectories(work), revision.app() + "-" + revision.id() + "-", ".classes.json");
            revision.compiled().write(compiled);
        } catch (IOException e) {
            throw new LoadException(Problem.of("services", "cannot keep the compiled app for its services: " + e.getMessage()));
        }
        Map<String, Endpoint> endpoints = new LinkedHashMap<>();
        for (String service : services) {
            endpoints.put(service, new Endpoint("127.0.0.1", freePort(), freePort()));
        }
        List<ServiceProcess> started = new ArrayList<>();
        try {
            // As many starting at once as there are cores: each starting JVM keeps one busy, and more would only slow all down.
            try (ExecutorService starter = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors())) {
                List<CompletableFuture<Void>> ready = new ArrayList<>();
                for (String service : services) {
                    Path archive = claimArchive();
                    ServiceProcess process = new ServiceProcess(service, command(dir, compiled, service, endpoints, archive), revision,
                            endpoints.get(service), archive, dataOf(compiled, service));
                    started.add(process);
                    ready.add(CompletableFuture.runAsync(process::start, starter));
                }
                CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).join();
            }
        } catch (RuntimeException e) {
            started.forEach(ServiceProcess::close);
            delete(compiled);
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new LoadException(Problem.of("services", cause.getMessage()));
        }
        revision.endpoints().putAll(endpoints);
        // All at once: each may take seconds to stop, and the platform's own stop waits for them.
        revision.closeWhenRetired(() -> started.parallelStream().forEach(ServiceProcess::close));
        revision.closeWhenRetired(() -> delete(compiled));
    }

    /** The process id of each service process running now, by service name (the newest, while two revisions overlap). */
    Map<String, Long> pids() {
        Map<String, Long> pids = new TreeMap<>();
        running.stream().sorted(Comparator.comparing(process -> process.revision.loadedAt()))
                .forEach(process -> pids.put(process.service, process.pid()));
        return pids;
    }

    /**
     * Where the first service process started without an archive writes one when it stops, to
     * be moved into place then; null when there is an archive, or one is being made.
     */
    private Path claimArchive() {
        if (Files.isRegularFile(CLASS_ARCHIVE) || !archiving.compareAndSet(false, true)) {
            return null;
        }
        try {
            Files.createDirectories(CLASS_ARCHIVE.getParent());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "service processes start without a class-data archive: " + e.getMessage());
            return null;
        }
        return CLASS_ARCHIVE.resolveSibling(CLASS_ARCHIVE.getFileName() + "." + ProcessHandle.current().pid());
    }

    private List<String> command(Path dir, Path compiled, String service, Map<String, Endpoint> endpoints, Path archive) {
        Endpoint self = endpoints.get(service);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Many small processes: a small heap and the simplest collector keep each one's memory down.
                "-Xmx256m", "-XX:+UseSerialGC", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        if (archive != null) {
            command.add("-XX:ArchiveClassesAtExit=" + archive);
        } else if (Files.isRegularFile(CLASS_ARCHIVE)) {
            command.add("-XX:SharedArchiveFile=" + CLASS_ARCHIVE);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "service",
                "--app", dir.toAbsolutePath().toString(), "--compiled", compiled.toString(), "--service", service, "--placement", mode.name().toLowerCase(),
                "--data", dataOf(compiled, service).toString(),
                "--port", Integer.toString(self.httpPort()), "--wire-port", Integer.toString(self.wirePort())));
        endpoints.forEach((name, endpoint) -> command.addAll(List.of("--peer", name + "=" + endpoint)));
        return command;
    }

    /** The data directory of a service's process: next to the compiled app it loads, removed when the process has ended. */
    private static Path dataOf(Path compiled, String service) {
        return compiled.resolveSibling(compiled.getFileName().toString().replace(".classes.json", "-" + service));
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

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete " + file + ": " + e.getMessage());
        }
    }

    /**
     * A port for a service process to listen on: one free now, not handed to another process of
     * this platform, and below the range the system takes ports for outgoing connections from
     * (any connection opened before the process binds could otherwise take it).
     */
    private int freePort() {
        int below = ephemeralPorts();
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(below / 2, below);
            if (!handedOut.add(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                handedOut.remove(port);
            }
        }
        throw new IllegalStateException("no free port between " + below / 2 + " and " + below + " for a service process");
    }

    private static boolean waitFor(Process process, int seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The first port of the system's range for outgoing connections (Linux's default when unknown). */
    private static int ephemeralPorts() {
        try {
            // Read line by line: proc files report no size, and readString of one can stop short.
            int first = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).getFirst().trim().split("\\s+")[0]);
            return first >= 4_096 ? first : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    /** One service's process, restarted with back-off when it dies, until it is closed. */
    private final class ServiceProcess implements AutoCloseable {
        private final String service;
        private final List<String> command;
        private final Revision revision;
        private final Endpoint endpoint;
        private final Path archive;
        private final Path data;
        private volatile Process process;
        private volatile boolean closed;

        ServiceProcess(String service, List<String> command, Revision revision, Endpoint endpoint, Path archive, Path data) {
            this.data = data;
            this.service = service;
            this.command = command;
            this.revision = revision;
            this.endpoint = endpoint;
            this.archive = archive;
        }

        /** Starts the process and waits until it serves. */
        void start() {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment);
            builder.environment().put("NANOLITH_SERVICE_SECRET", secret);
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new UncheckedIOException("service '" + service + "' cannot be started: " + e.getMessage(), e);
            }
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<Boolean> up = new CompletableFuture<>();
            Thread.ofVirtual().name("service " + service).start(() -> {
                try {
                    for (String line; (line = out.readLine()) != null; ) {
                        if (line.startsWith(READY)) {
                            up.complete(true);
                        } else {
                            LOG.log(System.Logger.Level.INFO, "[" + service + "] " + line);
                        }
                    }
                } catch (IOException e) {
                    // The process ended; onExit below decides what happens next.
                }
                up.complete(false);
            });
            boolean serving;
            try {
                serving = up.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                serving = false;
            }
            if (!serving) {
                boolean ended = waitFor(process, 1);
                process.destroyForcibly();
                throw new IllegalStateException(ended
                        ? "service '" + service + "' ended with exit code " + process.exitValue() + " before it served — see the log above"
                        : "service '" + service + "' did not start within " + START_TIMEOUT.toSeconds() + " s — see the log above");
            }
            running.add(this);
            process.onExit().thenRun(this::died);
        }

        private void died() {
            if (closed) {
                return;
            }
            Endpoint endpoint = revision.endpoints().remove(service);
            LOG.log(System.Logger.Level.WARNING, "service ''{0}'' of {1} exited with {2}; restarting it", service, revision, process.exitValue());
            Thread.ofVirtual().start(() -> {
                for (long backoff = 100; !closed; backoff = Math.min(backoff * 2, 5_000)) {
                    try {
                        Thread.sleep(backoff);
                        start();
                        if (endpoint != null) {
                            revision.endpoints().put(service, endpoint);
                        }
                        LOG.log(System.Logger.Level.INFO, "service ''{0}'' of {1} serves again", service, revision);
                        return;
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "restarting service ''{0}'' failed: {1}", service, e.getMessage());
                    }
                }
            });
        }

        long pid() {
            return process.pid();
        }

        @Override
        public void close() {
            closed = true;
            running.remove(this);
            handedOut.removeAll(List.of(endpoint.wirePort(), endpoint.httpPort()));
            Process p = process;
            if (p != null) {
                p.destroy();
                // The process that writes the archive does so as it exits, which takes a few seconds more.
                if (waitFor(p, archive != null ? 30 : 5)) {
                    keepArchive();
                } else {
                    p.destroyForcibly();
                    waitFor(p, 5);
                }
            }
            if (archive != null) {
                delete(archive);
            }
            Platform.delete(data);
        }

        /** Moves the archive this process wrote as it stopped into place, and removes older ones. */
        private void keepArchive() {
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
                        .filter(f -> modifiedBefore(f, old)).forEach(Supervisor::delete);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "older class-data archives were not removed: " + e.getMessage());
            }
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
