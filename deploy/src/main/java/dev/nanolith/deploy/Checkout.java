package dev.nanolith.deploy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/** A commit's files written out to a directory, for loading; removed when closed. */
final class Checkout implements AutoCloseable {

    private final Path dir;

    private Checkout(Path dir) {
        this.dir = dir;
    }

    /** Writes the tree of {@code commit} into a fresh directory under {@code work}. */
    static Checkout of(Repository repo, ObjectId commit, Path work) throws IOException {
        Path dir = Files.createDirectories(work).resolve(commit.name() + "-" + System.nanoTime());
        Files.createDirectories(dir);
        Checkout checkout = new Checkout(dir);
        try (RevWalk walk = new RevWalk(repo); TreeWalk tree = new TreeWalk(repo)) {
            RevCommit c = walk.parseCommit(commit);
            tree.addTree(c.getTree());
            tree.setRecursive(true);
            while (tree.next()) {
                if (tree.getFileMode(0) == FileMode.GITLINK || tree.getFileMode(0) == FileMode.SYMLINK) {
                    continue;
                }
                Path file = dir.resolve(tree.getPathString()).normalize();
                if (!file.startsWith(dir)) {
                    throw new IOException("the commit has a path outside its tree: " + tree.getPathString());
                }
                Files.createDirectories(file.getParent());
                try (OutputStream out = Files.newOutputStream(file)) {
                    repo.open(tree.getObjectId(0)).copyTo(out);
                }
            }
        } catch (IOException | RuntimeException e) {
            checkout.close();
            throw e;
        }
        return checkout;
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover work directory costs disk space only; the next start of the platform clears the work folder.
        }
    }
}
