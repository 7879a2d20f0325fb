package dev.nanolith.cli;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import dev.nanolith.deploy.Check;
import dev.nanolith.runtime.placement.Deployment;
import dev.nanolith.runtime.placement.Manifest;
import dev.nanolith.runtime.config.ConfigFile;
import dev.nanolith.runtime.load.LoadException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code nanolith dev}: serves the app in a working directory and, whenever one of its files
 * ({@code nanolith.yaml}, anything under {@code src}) changes, checks it as a push is checked and
 * serves the new revision if it passes. An edit that fails a check is reported as
 * {@code file:line} and the last good revision keeps serving.
 */
final class DevLoop implements AutoCloseable {

    /** Where an app's files are, next to its nanolith.yaml: sources, tests and their resources. */
    private static final String SOURCES = "src";
    /** How long the files must stay unchanged before a check starts. */
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** The longest a check waits for the files to be quiet, however busy they are. */
    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Platform platform;
    private final Path dir;
    private final PrintStream out;
    private final WatchService watcher;
    private final Map<WatchKey, Path> watched = new HashMap<>();
    private WatchKey root;
    private Deployment serving;

    /** @throws IOException when the directory cannot be watched */
    DevLoop(Platform platform, Path dir, PrintStream out) throws IOException {
        this.platform = platform;
        this.dir = dir.toAbsolutePath().normalize();
        this.out = out;
        this.watcher = FileSystems.getDefault().newWatchService();
        watchRoot();
    }

    private void watchRoot() throws IOException {
        root = dir.register(watcher, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
        watched.put(root, dir);
        for (Path folder : tree(true)) {
            watched.put(folder.register(watcher, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE), folder);
        }
    }

    /** Deploys the app, then again after every change, until the thread is interrupted. */
    void run() throws InterruptedException {
        deploy("start", System.nanoTime());
        while (true) {
            WatchKey key = watcher.poll(1, TimeUnit.SECONDS);
            if (key == null) {
                // A folder that was removed and made again (a copy over it, a checkout) is a new folder to watch.
                if (!root.isValid() && Files.isDirectory(dir)) {
                    try {
                        watchRoot();
                        deploy("the folder is back", System.nanoTime());
                    } catch (IOException e) {
                        // watched again on the next round
                    }
                }
                continue;
            }
            List<String> changed = new ArrayList<>(changes(key));
            if (changed.isEmpty()) {
                continue;
            }
            // One save is several events (a write, a rename, a new folder): one check once the app's files are quiet.
            long first = System.nanoTime();
            long quietAt = first + QUIET_NANOS;
            for (long now = first; now < Math.min(quietAt, first + MAX_WAIT_NANOS); now = System.nanoTime()) {
                WatchKey next = watcher.poll(Math.min(quietAt, first + MAX_WAIT_NANOS) - now, TimeUnit.NANOSECONDS);
                if (next == null) {
                    break;
                }
                List<String> more = changes(next);
                if (!more.isEmpty()) {
                    changed.addAll(more);
                    quietAt = System.nanoTime() + QUIET_NANOS;
                }
            }
            // An editor's temporary file is gone by now: name a file that is still there.
            deploy(changed.stream().filter(f -> Files.exists(dir.resolve(f))).findFirst().orElse(changed.getLast()), first);
        }
    }

    /** Checks and serves a copy of the app's files, reporting as a push does. */
    private void deploy(String cause, long changedNanos) {
        out.println("nanolith: checking " + dir.getFileName() + " (" + cause + ")");
        Path copy;
        try {
            copy = copy();
        } catch (IOException e) {
            out.println("nanolith: the files of " + dir + " could not be copied for a check (" + e.getMessage() + "); "
                    + stillServing() + " — save again to retry");
            return;
        }
        try {
            Deployment deployment = platform.check(copy, out::println).deployment();
            delete(copy);
            platform.serve(deployment, out::println);
            serving = deployment;
            out.printf("deployed %s %s, %d ms after the %s%n", deployment.app(), deployment.id(), (System.nanoTime() - changedNanos) / 1_000_000,
                    cause.equals("start") ? "start" : "change");
            for (Manifest.Function fn : deployment.functions()) {
                out.printf("  POST %s/fn/%s%n", platform.url(), fn.name());
            }
        } catch (LoadException e) {
            delete(copy);
            out.println("nanolith: " + dir.getFileName() + " was not deployed; " + stillServing() + ". Fix:");
            Check.fix(e).forEach(out::println);
        } catch (RuntimeException e) {
            // The platform's own failure, not the app's: said as it is, and the loop goes on.
            delete(copy);
            out.println("nanolith: " + dir.getFileName() + " could not be checked (" + e + "); " + stillServing() + " — save again to retry");
        }
    }

    private String stillServing() {
        return serving == null ? "nothing of it serves yet" : serving.id() + " still serves";
    }

    /**
     * The app's files among a key's events, relative to the app; new folders under src are
     * watched from now on.
     */
    private List<String> changes(WatchKey key) {
        Path folder = watched.get(key);
        List<String> relevant = new ArrayList<>();
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == OVERFLOW) {
                // Events were lost: any file may have changed, and any folder may be new.
                watchNewFolders();
                relevant.add("many files");
                continue;
            }
            if (folder == null || !(event.context() instanceof Path name)) {
                continue;
            }
            Path file = folder.resolve(name);
            if (!isAppFile(file)) {
                continue;
            }
            if (event.kind() == ENTRY_CREATE && Files.isDirectory(file)) {
                watchNewFolders();
            }
            relevant.add(dir.relativize(file).toString().replace('\\', '/'));
        }
        if (!key.reset()) {
            watched.remove(key);
            if (key == root) {
                out.println("nanolith: " + dir + " is gone; " + stillServing() + ", and the folder is watched for again");
            }
        }
        return relevant;
    }

    private void watchNewFolders() {
        try {
            for (Path folder : tree(true)) {
                watched.put(folder.register(watcher, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE), folder);
            }
        } catch (IOException e) {
            out.println("nanolith: a new folder of " + dir + " cannot be watched (" + e.getMessage() + "); changes in it are seen at the"
                    + " next change elsewhere" + " — on Linux, a full fs.inotify.max_user_watches is raised with sysctl");
        }
    }

    /** Whether a path is one of the app's files: nanolith.yaml, or under src, but no editor's swap or backup file. */
    private boolean isAppFile(Path file) {
        Path relative = dir.relativize(file);
        if (relative.toString().equals(ConfigFile.NAME)) {
            return true;
        }
        if (!relative.startsWith(SOURCES)) {
            return false;
        }
        for (Path part : relative) {
            String name = part.toString();
            if (name.startsWith(".") || name.endsWith("~") || name.endsWith(".swp") || name.endsWith(".tmp")) {
                return false;
            }
        }
        return true;
    }

    /** A copy of the app's files, so that a check reads files no editor is writing. */
    private Path copy() throws IOException {
        Path copy = Files.createTempDirectory("nanolith-dev-");
        List<Path> files = new ArrayList<>(tree(false));
        if (Files.isRegularFile(dir.resolve(ConfigFile.NAME))) {
            files.add(dir.resolve(ConfigFile.NAME));
        }
        for (Path f : files) {
            Path target = copy.resolve(dir.relativize(f).toString());
            Files.createDirectories(target.getParent());
            Files.copy(f, target);
        }
        return copy;
    }

    /** The folders (or the files) under src that belong to the app, not walking into folders that do not. */
    private List<Path> tree(boolean folders) throws IOException {
        List<Path> found = new ArrayList<>();
        Path root = dir.resolve(SOURCES);
        if (!Files.isDirectory(root)) {
            return found;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path folder, BasicFileAttributes attributes) {
                if (!isAppFile(folder)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (folders) {
                    found.add(folder);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (!folders && attributes.isRegularFile() && isAppFile(file)) {
                    found.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return found;
    }

    private static void delete(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary copy; the system's temporary folder is cleared in time
        }
    }

    @Override
    public void close() throws IOException {
        watcher.close();
    }
}
