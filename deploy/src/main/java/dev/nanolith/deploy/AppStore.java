package dev.nanolith.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.nanolith.runtime.config.AppConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * The platform's data directory: one bare git repository and one state file per app. State is
 * written whole to a temporary file and moved into place, so a crash never leaves half of it.
 *
 * <pre>
 * DATA/apps/APP/repo.git     the app's repository
 * DATA/apps/APP/app.json     its token hash, revisions and current revision
 * </pre>
 */
public final class AppStore implements AutoCloseable {

    private final Path apps;
    /** How the platform's own records are written: as the state files and the admin API show them. */
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final Map<String, AppState> states = new ConcurrentHashMap<>();
    private final Map<String, Repository> repositories = new ConcurrentHashMap<>();

    /** Opens (or creates) the data directory and reads every app's state. */
    public AppStore(Path dataDir) {
        this.apps = dataDir.resolve("apps");
        try {
            Files.createDirectories(apps);
            try (Stream<Path> dirs = Files.list(apps)) {
                for (Path dir : dirs.filter(d -> Files.isRegularFile(d.resolve("app.json"))).toList()) {
                    AppState state = JSON.readValue(dir.resolve("app.json").toFile(), AppState.class);
                    states.put(state.name(), state);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the data directory " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates an app: its repository, with {@code main} as its default branch, and its deploy
     * token, which is returned here and never again.
     *
     * @throws IllegalArgumentException if the name is not valid
     * @throws IllegalStateException    if the app exists
     */
    public synchronized String create(String app) {
        if (!AppConfig.APP_NAME.matcher(app).matches()) {
            throw new IllegalArgumentException(AppConfig.notAnAppName(app));
        }
        if (states.containsKey(app)) {
            throw new IllegalStateException("app '" + app + "' exists already");
        }
        Path dir = apps.resolve(app);
        try (Git git = Git.init().setBare(true).setInitialBranch("main").setDirectory(dir.resolve("repo.git").toFile()).call()) {
            git.getRepository().getConfig().setBoolean("receive", null, "denyNonFastForwards", false);
            git.getRepository().getConfig().save();
        } catch (GitAPIException | IOException e) {
            throw new IllegalStateException("cannot create the repository of '" + app + "': " + e.getMessage(), e);
        }
        String token = Tokens.create();
        save(new AppState(app, Tokens.hash(token), List.of(), null));
        return token;
    }

    /** Replaces an app's deploy token; the old one stops working at once. */
    public synchronized String rotateToken(String app) {
        String token = Tokens.create();
        save(require(app).withTokenHash(Tokens.hash(token)));
        return token;
    }

    /** Whether {@code token} may push {@code app}. */
    public boolean authorizes(String app, String token) {
        AppState state = states.get(app);
        return state != null && Tokens.matches(token, state.tokenHash());
    }

    public Optional<AppState> app(String app) {
        return Optional.ofNullable(states.get(app));
    }

    public List<AppState> apps() {
        return states.values().stream().sorted(java.util.Comparator.comparing(AppState::name)).toList();
    }

    /** Adds a deployed revision and makes it current. */
    public synchronized void record(String app, RevisionRecord revision) {
        save(require(app).with(revision));
    }

    /** Makes an earlier revision current. */
    public synchronized void current(String app, String revision) {
        save(require(app).withCurrent(revision));
    }

    /** The app's repository, opened once and kept open. */
    public Repository repository(String app) {
        require(app);
        return repositories.computeIfAbsent(app, a -> {
            try {
                return new FileRepositoryBuilder().setGitDir(apps.resolve(a).resolve("repo.git").toFile()).setMustExist(true).build();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the repository of '" + a + "': " + e.getMessage(), e);
            }
        });
    }

    /** Points {@code main} at a commit, as a push would. */
    void moveMain(String app, org.eclipse.jgit.lib.ObjectId commit) throws IOException {
        RefUpdate update = repository(app).updateRef(Constants.R_HEADS + "main");
        update.setNewObjectId(commit);
        update.setForceUpdate(true);
        RefUpdate.Result result = update.update();
        if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FORCED && result != RefUpdate.Result.FAST_FORWARD
                && result != RefUpdate.Result.NO_CHANGE) {
            throw new IOException("main could not be moved: " + result);
        }
    }

    private AppState require(String app) {
        AppState state = states.get(app);
        if (state == null) {
            throw new NotFoundException("no app named '" + app + "' — create it first");
        }
        return state;
    }

    private void save(AppState state) {
        try {
            write(apps.resolve(state.name()).resolve("app.json"), state);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the state of '" + state.name() + "': " + e.getMessage(), e);
        }
        states.put(state.name(), state);
    }

    /** Writes one of the platform's records whole or not at all: a crash while writing leaves the previous one. */
    static void write(Path file, Object record) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), record);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Writes {@code text} to a new file that only its owner may read, such as a key: made so, never
     * readable by others for a moment, and whole or not at all.
     */
    static void writeOwnerOnly(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the file keeps the directory's permissions.
            Files.createFile(tmp);
        }
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void close() {
        repositories.values().forEach(Repository::close);
    }
}
