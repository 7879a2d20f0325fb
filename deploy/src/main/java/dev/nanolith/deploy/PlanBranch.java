package dev.nanolith.deploy;

import dev.nanolith.runtime.config.AppConfig;
import dev.nanolith.runtime.config.ConfigFile;
import dev.nanolith.runtime.config.ServiceConfig;
import dev.nanolith.runtime.placement.Placement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Where an applied plan's placement is written for the app's owner to see: a commit on the
 * branch {@value #BRANCH} of the app's repository, whose parent is the commit that serves, and
 * which changes nothing but the {@code services:} of {@code nanolith.yaml}. {@code main} is not
 * touched: the owner fetches the branch, reads the diff, and merges it or not.
 */
final class PlanBranch {

    /** The branch a plan is written to. */
    static final String BRANCH = "nanolith/plan";

    private PlanBranch() {
    }

    /**
     * Commits {@code placement} (function → service) as the {@code services:} of the
     * {@code nanolith.yaml} of {@code base}, on {@value #BRANCH}, replacing what the branch held.
     *
     * @param config  the config of {@code base}, whose services' settings are kept
     * @param comment the lines written above {@code services:}, without their {@code #}
     * @return the commit made
     */
    static ObjectId write(Repository repo, ObjectId base, AppConfig config, Map<String, String> placement, List<String> comment, String message)
            throws IOException {
        try (ObjectReader reader = repo.newObjectReader(); RevWalk walk = new RevWalk(reader); ObjectInserter inserter = repo.newObjectInserter()) {
            RevCommit parent = walk.parseCommit(base);
            String yaml = "";
            try (TreeWalk file = TreeWalk.forPath(reader, ConfigFile.NAME, parent.getTree())) {
                if (file != null) {
                    yaml = new String(reader.open(file.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
                }
            }
            ObjectId blob = inserter.insert(Constants.OBJ_BLOB, withServices(yaml, services(config, placement), comment).getBytes(StandardCharsets.UTF_8));
            DirCache index = DirCache.newInCore();
            DirCacheBuilder builder = index.builder();
            builder.addTree(new byte[0], DirCacheEntry.STAGE_0, reader, parent.getTree());
            builder.finish();
            DirCacheEditor editor = index.editor();
            editor.add(new DirCacheEditor.PathEdit(ConfigFile.NAME) {
                @Override
                public void apply(DirCacheEntry entry) {
                    entry.setFileMode(FileMode.REGULAR_FILE);
                    entry.setObjectId(blob);
                }
            });
            editor.finish();
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(index.writeTree(inserter));
            commit.setParentId(parent);
            PersonIdent platform = new PersonIdent("Nanolith", "nanolith@localhost");
            commit.setAuthor(platform);
            commit.setCommitter(platform);
            commit.setMessage(message);
            ObjectId made = inserter.insert(commit);
            inserter.flush();
            RefUpdate update = repo.updateRef(Constants.R_HEADS + BRANCH);
            update.setNewObjectId(made);
            update.setForceUpdate(true);
            RefUpdate.Result result = update.update();
            if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FORCED && result != RefUpdate.Result.NO_CHANGE) {
                throw new IOException("the branch " + BRANCH + " could not be moved: " + result);
            }
            return made;
        }
    }

    /**
     * The {@code services:} block for {@code placement}, one line per service: a list of its
     * functions, or a map when the configured services it takes functions from set more (their
     * owner when they agree, the largest heap, {@code scale:}).
     */
    static List<String> services(AppConfig config, Map<String, String> placement) {
        Map<String, List<String>> functionsOf = new TreeMap<>();
        placement.forEach((function, service) -> functionsOf.computeIfAbsent(ServiceConfig.nameFor(service), s -> new ArrayList<>()).add(function));
        List<String> lines = new ArrayList<>();
        lines.add("services:");
        functionsOf.forEach((service, functions) -> {
            functions.sort(null);
            List<ServiceConfig> from = functions.stream().map(f -> Placement.configuredService(config, f)).filter(Objects::nonNull).distinct()
                    .map(config.services()::get).toList();
            TreeSet<String> owners = new TreeSet<>();
            from.stream().map(ServiceConfig::owner).filter(Objects::nonNull).forEach(owners::add);
            String memory = from.stream().filter(s -> s.memoryBytes() > 0).max(java.util.Comparator.comparingLong(ServiceConfig::memoryBytes))
                    .map(ServiceConfig::memory).orElse(null);
            boolean isolated = from.stream().anyMatch(ServiceConfig::isolated);
            String scale = from.stream().map(ServiceConfig::scale).filter(Objects::nonNull).findFirst().orElse(null);
            String list = "[" + String.join(", ", functions) + "]";
            if (owners.size() > 1) {
                // One service has one owner: the owners of the services it merges are named, for its team to choose or set per function.
                lines.add("  # " + service + " merges services of " + String.join(", ", owners) + ": set owner: on it, or on each function");
            }
            if (owners.size() != 1 && memory == null && !isolated && scale == null) {
                lines.add("  " + service + ": " + list);
                return;
            }
            StringBuilder map = new StringBuilder("  " + service + ": {functions: " + list);
            if (isolated) {
                map.append(", isolated: true");
            }
            if (memory != null) {
                map.append(", memory: ").append(memory);
            }
            if (owners.size() == 1) {
                map.append(", owner: ").append(owners.first());
            }
            if (scale != null) {
                map.append(", scale: ").append(scale);
            }
            lines.add(map.append("}").toString());
        });
        return lines;
    }

    /**
     * {@code yaml} with its top-level {@code services:} block (its line and the indented or blank
     * lines under it) replaced by {@code services}, under {@code comment}; appended when it has none.
     */
    static String withServices(String yaml, List<String> services, List<String> comment) {
        List<String> lines = new ArrayList<>(yaml.lines().toList());
        List<String> block = new ArrayList<>(comment.stream().map(line -> "# " + line).toList());
        block.addAll(services);
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("services\\s*:.*")) {
                start = i;
                break;
            }
        }
        if (start < 0) {
            if (!lines.isEmpty() && !lines.getLast().isBlank()) {
                lines.add("");
            }
            lines.addAll(block);
        } else {
            int end = start + 1;
            while (end < lines.size() && inBlock(lines, end)) {
                end++;
            }
            // Blank lines that end the block stay, before whatever follows.
            while (end > start + 1 && lines.get(end - 1).isBlank()) {
                end--;
            }
            // An earlier plan's comment, merged into main, gives way to this one's.
            while (start > 0 && ours(lines.get(start - 1), comment)) {
                start--;
            }
            lines.subList(start, end).clear();
            lines.addAll(start, block);
        }
        return String.join("\n", lines) + "\n";
    }

    /** Whether {@code line} is one of a plan's comments: one that starts as one of {@code comment}'s lines. */
    private static boolean ours(String line, List<String> comment) {
        return comment.stream().anyMatch(c -> line.startsWith("# " + c.substring(0, Math.min(20, c.length()))));
    }

    /**
     * Whether line {@code i} belongs to the block above it: blank, indented, or a comment at the
     * margin that more of the block's indented lines follow.
     */
    private static boolean inBlock(List<String> lines, int i) {
        String line = lines.get(i);
        if (line.isBlank() || Character.isWhitespace(line.charAt(0))) {
            return true;
        }
        if (!line.startsWith("#")) {
            return false;
        }
        for (int j = i + 1; j < lines.size(); j++) {
            String next = lines.get(j);
            if (!next.isBlank() && !next.startsWith("#")) {
                return Character.isWhitespace(next.charAt(0));
            }
        }
        return false;
    }
}
