package dev.nanolith.cli;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import dev.nanolith.deploy.Check;
import dev.nanolith.runtime.Revision;
import dev.nanolith.runtime.Route;
import dev.nanolith.runtime.load.LoadException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
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
 * changes, checks it as a push is checked and serves the new revision if it passes. An edit that
 * fails a check is reported as {@code file:line} and the last good revision keeps serving.
 */
final class DevLoop implements AutoCloseable {

    /** How long the files must stay unchanged before a check starts: an editor's save is several events. */
    private static final long QUIET_MILLIS = 50;

    private final Platform platform;
    private final Path dir;
    private final PrintStream out;
    private final WatchService watcher;
    private final Map<WatchKey, Path> watched = new HashMap<>();
    private Revision serving;

    DevLoop(Platform platform, Path dir, PrintStream out) throws IOException {
        this.platform = platform;
        this.dir = dir.toAbsolutePath().normalize();
        this.out = out;
        this.watcher = FileSystems.getDefault().newWatchService();
        watch(this.dir);
    }

    /** Deploys the app, then again after every change, until the thread is interrupted. */
    void run() throws InterruptedException {
        deploy("start", System.nanoTime());
        while (!Thread.currentThread().isInterrupted()) {
            WatchKey key = watcher.take();
            long changed = System.nanoTime();
            String first = null;
            // Everything that changes until the files are quiet is one change.
            for (; key != null; key = watcher.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)) {
                String relevant = changes(key);
                first = first != null ? first : relevant;
            }
            if (first != null) {
                deploy(first, changed);
            }
        }
    }

    /** Checks and serves a snapshot of the app's files, reporting as a push does. */
    private void deploy(String cause, long changedNanos) {
        out.println("nanolith: checking " + dir.getFileName() + " (" + cause + ")");
        Path snapshot;
        try {
            snapshot = snapshot();
        } catch (IOException e) {
            out.println("nanolith: the files of " + dir + " cannot be read: " + e.getMessage());
            return;
        }
        try {
            // The revision's service processes, if any, read its files for as long as it serves: they are its own copy.
            Revision revision = platform.deploy(snapshot, out::println);
            revision.closeWhenRetired(() -> delete(snapshot));
            serving = revision;
            out.printf("deployed %s %s, %d ms after the %s%n", revision.app(), revision.id(), (System.nanoTime() - changedNanos) / 1_000_000,
                    cause.equals("start") ? "start" : "change");
            for (Route route : revision.routes()) {
                out.printf("  POST %s/fn/%s%n", platform.url(), route.name());
            }
        } catch (LoadException e) {
            delete(snapshot);
            out.println("nanolith: " + dir.getFileName() + " was not deployed; " + stillServing() + ". Fix:");
            Check.fix(e).forEach(out::println);
        } catch (RuntimeException e) {
            // The platform's own failure, not the app's: say so, and keep watching.
            delete(snapshot);
            out.println("nanolith: " + dir.getFileName() + " could not be checked (" + e + "); " + stillServing());
        }
    }

    private String stillServing() {
        return serving == null ? "nothing of it serves yet" : serving.id() + " still serves";
    }

    /** The relevant file among a key's events, relative to the app, or null; new folders are watched too. */
    private String changes(WatchKey key) {
        Path folder = watched.get(key);
        String relevant = null;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (folder == null || !(event.context() instanceof Path name)) {
                continue;
            }
            Path file = folder.resolve(name);
            if (event.kind() == ENTRY_CREATE && Files.isDirectory(file) && !ignored(file)) {
                watch(file);
            }
            String relative = dir.relativize(file).toString().replace('\\', '/');
            if (relevant == null && !ignored(file) && (relative.equals("nanolith.yaml") || relative.startsWith("src/"))) {
                relevant = relative;
            }
        }
        if (!key.reset()) {
            watched.remove(key);
        }
        return relevant;
    }

    /** Build output, version control and editors' swap and backup files are no change to the app. */
    private boolean ignored(Path file) {
        Path relative = dir.relativize(file);
        for (Path part : relative) {
            String name = part.toString();
            if (name.startsWith(".") || name.equals("target") || name.endsWith("~") || name.endsWith(".swp") || name.endsWith(".tmp")) {
                return true;
            }
        }
        return false;
    }

    private void watch(Path folder) {
        try {
            for (Path f : tree(folder, true)) {
                watched.put(f.register(watcher, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE), f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch " + folder + ": " + e.getMessage(), e);
        }
    }

    /** A copy of the app's files, so that a check reads files no editor is writing. */
    private Path snapshot() throws IOException {
        Path copy = Files.createTempDirectory("nanolith-dev-");
        for (Path f : tree(dir, false)) {
            Path target = copy.resolve(dir.relativize(f).toString());
            Files.createDirectories(target.getParent());
            Files.copy(f, target);
        }
        return copy;
    }

    /** The folders (or the files) under {@code root} that are part of the app, not walking into ignored folders. */
    private List<Path> tree(Path root, boolean folders) throws IOException {
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path folder, BasicFileAttributes attributes) {
                if (!folder.equals(dir) && ignored(folder)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (folders) {
                    found.add(folder);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (!folders && attributes.isRegularFile() && !ignored(file)) {
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
