package dev.nanolith.deploy;

import dev.nanolith.runtime.Router;
import dev.nanolith.runtime.config.ConfigFile;
import dev.nanolith.runtime.config.ServiceConfig;
import dev.nanolith.runtime.load.AppLoader;
import dev.nanolith.runtime.load.Libraries;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.load.Problem;
import dev.nanolith.runtime.placement.Deployment;
import dev.nanolith.runtime.placement.Manifest;
import dev.nanolith.runtime.placement.Placement;
import dev.nanolith.runtime.resilience.Policies;
import dev.nanolith.worker.Checker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The checks an app's files pass before they may serve, the same for a push, {@code nanolith test}
 * and {@code nanolith dev}: {@code nanolith.yaml} and the libraries it declares, read here; compile
 * and load, a name no other app serves, the app's own tests and the start of every function, in a
 * throw-away process ({@link CheckProcesses}); then the start of its workers. Each stage is
 * reported as it ends, in the lines a push prints. The control plane never loads a class of the app.
 */
public final class Check implements AutoCloseable {

    /**
     * Files that passed every check.
     *
     * @param deployment   the checked revision, its workers started, ready to serve
     * @param stagesMillis how long each stage took, in the order they ran
     * @param tests        how many of the app's tests ran (and passed)
     */
    public record Passed(Deployment deployment, Map<String, Long> stagesMillis, int tests) {
    }

    /** What an app is checked for, which decides what it must pass. */
    public enum Purpose {
        /** A push, or {@code nanolith test}: the app's tests run, and every secret it declares must be set. */
        PUSH(true, true),
        /** An app served from a directory: every secret it declares must be set; its tests do not run. */
        DIRECTORY(false, true),
        /**
         * A revision that served before, after a restart or for a rollback: it serves again as it
         * did, without its tests; a secret removed since fails only the calls that read it.
         */
        AGAIN(false, false);

        private final boolean tests;
        private final boolean secretsRequired;

        Purpose(boolean tests, boolean secretsRequired) {
            this.tests = tests;
            this.secretsRequired = secretsRequired;
        }
    }

    private final CheckProcesses processes;
    private final Workers workers;
    private final Router router;
    private final Libraries libraries;
    private final UnaryOperator<String> settings;
    private final Secrets secrets;
    private final Duration defaultTimeout;
    private final Path work;

    /**
     * @param settings       values for {@code ${NAME}} in config; null when unset
     * @param secrets        the values of the secrets apps declare
     * @param timeout        how long one check may take
     * @param defaultTimeout a function's timeout when its config sets none
     * @param work           where checked revisions keep their files while they serve, and checks theirs while they run
     */
    public Check(Workers workers, Router router, Libraries libraries, UnaryOperator<String> settings, Secrets secrets,
                 Duration timeout, Duration defaultTimeout, Path work) {
        this.processes = new CheckProcesses(workers.jvm(), workers.sandbox(), work.resolve("checks"), timeout);
        this.workers = workers;
        this.router = router;
        this.libraries = libraries;
        this.settings = settings;
        this.secrets = secrets;
        this.defaultTimeout = defaultTimeout;
        this.work = work;
    }

    /**
     * Starts, in the background, the processes the next push takes that are not there yet: a
     * check process and a spare worker.
     */
    public void warmUp() {
        Thread.ofVirtual().name("check warm-up").start(processes::warmUp);
        Thread.ofVirtual().name("worker warm-up").start(workers::warmUp);
    }

    /**
     * Checks the app in {@code dir}, which must be the app {@code app} (null: any), as revision
     * {@code ids.apply(app)}, and starts its workers; reports each stage to {@code progress}.
     *
     * @param purpose what it is checked for: whether its tests run and its secrets must be set
     * @param planned the service of each function a plan placed; the others are placed by the platform's mode
     * @throws LoadException with every problem found; nothing of the revision is left running
     */
    public Passed run(Path dir, String app, UnaryOperator<String> ids, Purpose purpose, Map<String, String> planned, Consumer<String> progress)
            throws LoadException {
        try {
            return checkAndStart(dir, app, ids, purpose, new Placement.Rule(workers.mode(), planned), progress);
        } finally {
            // The next push's processes start once this one's workers serve (or it failed): they would share their cores.
            warmUp();
        }
    }

    private Passed checkAndStart(Path dir, String app, UnaryOperator<String> ids, Purpose purpose, Placement.Rule placement,
                                 Consumer<String> progress) throws LoadException {
        Map<String, Long> stages = new LinkedHashMap<>();
        // The settings the config names are all the app's processes are given, with the secrets of each one's functions.
        Map<String, String> named = new TreeMap<>();
        ConfigFile config = AppLoader.config(dir, app, name -> {
            String value = settings.apply(name);
            if (value != null) {
                named.put(name, value);
            }
            return value;
        });
        List<Path> jars = AppLoader.resolve(config, libraries).stream().map(Path::of).toList();
        String name = config.config().app();
        String id = ids.apply(name);
        Path files;
        try {
            files = Files.createTempDirectory(Files.createDirectories(work.resolve("revisions")), name + "-" + id + "-");
            Files.copy(dir.resolve(ConfigFile.NAME), files.resolve(ConfigFile.NAME), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new LoadException(Problem.of("platform", "cannot keep the files of the revision: " + e.getMessage()));
        }
        // The workers start once the app is compiled, beside its tests: they serve only if the tests pass.
        AtomicReference<CompletableFuture<Started>> starting = new AtomicReference<>();
        try {
            // The check process runs every function and the app's tests: it is given every secret of the app.
            Map<String, String> everySecret = new TreeMap<>(named);
            config.config().functions().values().forEach(fn -> everySecret.putAll(secrets.values(name, fn.secrets())));
            int passed = processes.run(new Checker.Job(dir.toAbsolutePath(), app, id, placement, defaultTimeout.toMillis(), jars,
                    everySecret, router.taken(), purpose.tests, purpose.secretsRequired, files), stages, progress, () -> starting.set(CompletableFuture.supplyAsync(() -> {
                        try {
                            return start(config, named, id, files, jars, placement);
                        } catch (LoadException e) {
                            throw new CompletionException(e);
                        }
                    }, task -> Thread.ofVirtual().name("workers of " + name).start(task))));
            if (starting.get() == null) {
                throw new LoadException(Problem.of("check", "the check process ended without reporting the compiled app"
                        + " — push again; if it happens again, the platform's log says why"));
            }
            Started started = join(starting.get());
            stages.put("workers", started.millis());
            List<String> services = started.deployment().services();
            progress.accept(stage("workers", started.millis(), services.size() == 1 ? "1 worker started"
                    : services.size() + " workers started: " + String.join(", ", services)));
            return new Passed(started.deployment(), stages, passed);
        } catch (LoadException | RuntimeException e) {
            // Workers started for a revision that failed are stopped before the push is answered; their files go with them.
            try {
                if (starting.get() != null) {
                    starting.get().join().deployment().retire();
                } else {
                    delete(files);
                }
            } catch (CompletionException | CancellationException failed) {
                delete(files);
            }
            throw e;
        }
    }

    /** A checked revision's workers, started, and how long they took. */
    private record Started(Deployment deployment, long millis) {
    }

    /**
     * Starts the workers of the compiled app in {@code files}, as the control plane reads its
     * config: where each function runs, and so which worker gets its secrets, and their heaps.
     */
    private Started start(ConfigFile config, Map<String, String> named, String id, Path files, List<Path> jars, Placement.Rule placement)
            throws LoadException {
        String name = config.config().app();
        Manifest manifest = Manifest.read(files.resolve(Checker.MANIFEST));
        if (!manifest.app().equals(name)) {
            throw new LoadException(Problem.of(ConfigFile.NAME, "the check reported app '" + manifest.app() + "', not '" + name + "'"));
        }
        Map<String, List<String>> calls = new HashMap<>();
        manifest.functions().forEach(fn -> calls.put(fn.name(), fn.calls()));
        Placement plan = Placement.plan(placement, config.config(), calls.keySet(), calls);
        Map<String, Set<String>> secretsOf = new HashMap<>();
        for (Manifest.Function fn : manifest.functions()) {
            if (!fn.service().equals(plan.serviceOf().get(fn.name()))) {
                throw new LoadException(Problem.of(fn.source(), "the check placed '" + fn.name() + "' in service '" + fn.service()
                        + "', not '" + plan.serviceOf().get(fn.name()) + "'"));
            }
            if (!fn.copies().equals(plan.copies().getOrDefault(fn.name(), Set.of()))) {
                throw new LoadException(Problem.of(fn.source(), "the check copied '" + fn.name() + "' into " + fn.copies() + ", not "
                        + plan.copies().getOrDefault(fn.name(), Set.of())));
            }
            // A copy of a library function reads its secrets where it runs.
            for (String service : java.util.stream.Stream.concat(java.util.stream.Stream.of(fn.service()), fn.copies().stream()).toList()) {
                secretsOf.computeIfAbsent(service, s -> new TreeSet<>()).addAll(config.config().function(fn.name()).secrets());
            }
        }
        Map<String, Policies> policies = new HashMap<>();
        manifest.functions().forEach(fn -> policies.put(fn.name(), Policies.of(config.config(), fn.name())));
        Deployment deployment = new Deployment(id, manifest, files, new Deployment.Launch(heaps(config, manifest), jars, named, secretsOf, placement),
                config, policies);
        Router.refuseClashes(name, manifest.functions(), router.taken());
        long t = System.nanoTime();
        workers.start(deployment);
        deployment.closeWhenRetired(() -> delete(files));
        return new Started(deployment, millisSince(t));
    }

    /** What {@code starting} ended with; its {@link LoadException} as thrown. */
    private static Started join(CompletableFuture<Started> starting) throws LoadException {
        try {
            return starting.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof LoadException load) {
                throw load;
            }
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }

    @Override
    public void close() {
        processes.close();
    }

    /**
     * The heap limit of each worker whose functions' services set {@code memory:}: a worker that
     * hosts functions of several (a monolith's) takes the largest.
     */
    private static Map<String, String> heaps(ConfigFile config, Manifest manifest) {
        Map<String, ServiceConfig> largest = new HashMap<>();
        for (Manifest.Function fn : manifest.functions()) {
            String configured = Placement.configuredService(config.config(), fn.name());
            ServiceConfig service = configured == null ? null : config.config().services().get(configured);
            if (service != null && service.memoryBytes() > 0) {
                largest.merge(fn.service(), service, (a, b) -> a.memoryBytes() >= b.memoryBytes() ? a : b);
            }
        }
        Map<String, String> heaps = new HashMap<>();
        largest.forEach((worker, service) -> heaps.put(worker, service.memory()));
        return heaps;
    }

    /** One stage's line of a report: its name, its milliseconds, a note. */
    public static String stage(String name, long millis, String note) {
        return String.format("  %-9s %6d ms  %s", name, millis, note);
    }

    /** The lines that list what to fix, as a push prints them under its {@code Fix:} line. */
    public static List<String> fix(LoadException e) {
        return e.problems().stream().map(Problem::lines).flatMap(List::stream).map(line -> "  " + line).toList();
    }

    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Removes a directory and everything in it. */
    public static void delete(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    file.toFile().delete();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    // Another thread may be removing part of the tree (a worker's inbox as it ends): what is gone is done.
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    directory.toFile().delete();
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // gone already
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir + ": " + e.getMessage(), e);
        }
    }
}
