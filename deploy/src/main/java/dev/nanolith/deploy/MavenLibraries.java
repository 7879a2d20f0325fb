package dev.nanolith.deploy;

import dev.nanolith.runtime.load.Libraries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.resolution.DependencyResult;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.transfer.ArtifactNotFoundException;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;

/**
 * Resolves the libraries apps declare with Maven Resolver — runtime scope, every library they
 * need in turn, versions mediated as Maven does — from Maven Central or the repositories the
 * platform is configured with, into a cache in the data directory. The user's own local Maven
 * repository is read too, when there is one, so that what a build downloaded is not downloaded again.
 */
public final class MavenLibraries implements Libraries {

    /** The setting that names the repositories to resolve from: URLs, comma-separated. */
    public static final String REPOSITORIES = "NANOLITH_MAVEN_REPOSITORIES";

    private static final String CENTRAL = "https://repo.maven.apache.org/maven2/";

    private final RepositorySystem system = new RepositorySystemSupplier().get();
    private final List<Path> localRepositories;
    private final List<RemoteRepository> repositories;
    private final Map<List<String>, List<Path>> resolved = new ConcurrentHashMap<>();

    /**
     * @param cache        where downloaded libraries are kept
     * @param repositories the repositories' URLs, comma-separated; null or blank for Maven Central
     */
    public MavenLibraries(Path cache, String repositories) {
        Path own = Path.of(System.getProperty("user.home"), ".m2", "repository");
        this.localRepositories = Files.isDirectory(own) ? List.of(cache, own) : List.of(cache);
        List<String> urls = repositories == null || repositories.isBlank() ? List.of(CENTRAL)
                : Arrays.stream(repositories.split(",")).map(String::strip).filter(url -> !url.isEmpty()).toList();
        List<RemoteRepository> remote = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            remote.add(new RemoteRepository.Builder(urls.get(i).equals(CENTRAL) ? "central" : "repository-" + (i + 1), "default", urls.get(i)).build());
        }
        this.repositories = List.copyOf(remote);
    }

    @Override
    public Resolved resolve(List<String> coordinates) {
        if (coordinates.isEmpty()) {
            return new Resolved(List.of(), Map.of());
        }
        // A released version never changes: what it resolved to once, it resolves to again, without a session (~0.4 s).
        List<Path> known = resolved.get(coordinates);
        if (known != null && known.stream().allMatch(Files::isRegularFile)) {
            return new Resolved(known, Map.of());
        }
        Resolved result = resolveNow(coordinates);
        if (result.failures().isEmpty() && coordinates.stream().noneMatch(MavenLibraries::changes)) {
            resolved.put(List.copyOf(coordinates), result.jars());
        }
        return result;
    }

    /** Whether what a coordinate resolves to can change: a snapshot, or a range of versions. */
    private static boolean changes(String coordinate) {
        return coordinate.endsWith("-SNAPSHOT") || coordinate.contains("[") || coordinate.contains("(");
    }

    private Resolved resolveNow(List<String> coordinates) {
        // The first local repository takes what is downloaded; the user's own is only read.
        try (RepositorySystemSession.CloseableSession session = new SessionBuilderSupplier(system).get()
                .withLocalRepositoryBaseDirectories(localRepositories).setSystemProperties(System.getProperties()).build()) {
            List<Dependency> declared = coordinates.stream().map(c -> new Dependency(new DefaultArtifact(c), JavaScopes.RUNTIME)).toList();
            DependencyRequest request = new DependencyRequest(new CollectRequest(declared, List.of(), repositories),
                    DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
            try {
                return new Resolved(jars(system.resolveDependencies(session, request)), Map.of());
            } catch (DependencyResolutionException e) {
                return new Resolved(List.of(), failures(coordinates, e));
            }
        }
    }

    private static List<Path> jars(DependencyResult result) {
        return result.getArtifactResults().stream().map(ArtifactResult::getArtifact).map(Artifact::getPath).toList();
    }

    /** What could not be resolved, under the declared coordinate it belongs to (a library it needs is under it too, when it is the same one). */
    private Map<String, String> failures(List<String> coordinates, DependencyResolutionException e) {
        Map<String, String> failures = new LinkedHashMap<>();
        if (e.getResult() != null) {
            for (ArtifactResult result : e.getResult().getArtifactResults()) {
                if (result.getExceptions().isEmpty()) {
                    continue;
                }
                Artifact artifact = result.getRequest().getArtifact();
                String declared = coordinates.stream().filter(c -> c.startsWith(artifact.getGroupId() + ":" + artifact.getArtifactId() + ":"))
                        .findFirst().orElse("");
                failures.merge(declared, why(artifact, result.getExceptions().getFirst()), (a, b) -> a + "; " + b);
            }
            e.getResult().getCollectExceptions().forEach(collect -> failures.merge("", collect.getMessage(), (a, b) -> a + "; " + b));
        }
        if (failures.isEmpty()) {
            failures.put("", "the libraries cannot be resolved: " + e.getMessage());
        }
        return failures;
    }

    private String why(Artifact artifact, Exception cause) {
        String what = artifact.getGroupId() + ":" + artifact.getArtifactId() + ":" + artifact.getVersion();
        if (cause instanceof ArtifactNotFoundException notFound && notFound.getRepository() instanceof RemoteRepository repository) {
            return what + " is not in " + repository.getUrl() + " — check the group, the name and the version"
                    + (repositories.size() > 1 ? "" : " (search.maven.org lists what there is)");
        }
        return what + " cannot be downloaded: " + cause.getMessage() + " — the platform resolves from " + repositories.stream()
                .map(RemoteRepository::getUrl).toList() + " (setting " + REPOSITORIES + ")";
    }
}
