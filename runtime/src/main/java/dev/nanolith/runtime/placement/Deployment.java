package dev.nanolith.runtime.placement;

import dev.nanolith.runtime.Drain;
import dev.nanolith.runtime.config.ConfigFile;
import dev.nanolith.runtime.resilience.Policies;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A revision as the control plane serves it: its manifest, the compiled app its workers load, and
 * where each of its services' workers listens. The control plane never loads the app's classes;
 * its workers do. A call that starts on a deployment ends on it.
 */
public final class Deployment {

    /**
     * What the workers of a deployment start with, read by the control plane from the app's
     * config, never from what its check reported.
     *
     * @param heaps     the heap limit of a service's worker, as {@code java -Xmx} takes it, by
     *                  service; a service not named gets the platform's default
     * @param libraries the jars of the libraries the app declares
     * @param settings  the settings the app's config names, which every worker of it is given
     * @param secrets   the names of the secrets a service's functions declare, by service: only
     *                  that service's worker is given their values
     * @param placement how its functions are placed in services
     */
    public record Launch(Map<String, String> heaps, List<Path> libraries, Map<String, String> settings, Map<String, Set<String>> secrets,
                         Placement.Rule placement) {

        public Launch {
            heaps = Map.copyOf(heaps);
            libraries = List.copyOf(libraries);
            settings = Map.copyOf(settings);
            secrets = Map.copyOf(secrets);
        }

        /** The heap limit of a service's worker, or {@code otherwise}. */
        public String heap(String service, String otherwise) {
            return heaps.getOrDefault(service, otherwise);
        }

        /** The names of the secrets a service's functions declare. */
        public Set<String> secrets(String service) {
            return secrets.getOrDefault(service, Set.of());
        }
    }

    private final String id;
    private final Manifest manifest;
    private final Path files;
    private final Launch launch;
    private final ConfigFile config;
    private final Map<String, Policies> policies;
    private final Instant loadedAt = Instant.now();
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Drain drain = new Drain();

    /**
     * @param id    the revision's id, such as {@code r3}
     * @param files where its workers load it from: its {@code nanolith.yaml} and the app as its check compiled it
     * @param launch what each of its workers starts with
     * @param config   its {@code nanolith.yaml}, as the control plane read it
     * @param policies what the callers of each function do when a call of it fails, by function, read from the app's config
     */
    public Deployment(String id, Manifest manifest, Path files, Launch launch, ConfigFile config, Map<String, Policies> policies) {
        this.id = id;
        this.config = config;
        this.manifest = manifest;
        this.files = files;
        this.launch = launch;
        this.policies = Map.copyOf(policies);
    }

    public String app() {
        return manifest.app();
    }

    public String id() {
        return id;
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    /** Where its workers load it from. */
    public Path files() {
        return files;
    }

    /** Its {@code nanolith.yaml} as the control plane read it: owners, libraries and services for the audit, lines for problems. */
    public ConfigFile config() {
        return config;
    }

    /** What each of its workers starts with. */
    public Launch launch() {
        return launch;
    }

    /** What the callers of {@code function} do when a call of it fails: the gateway, for an operation's entry. */
    public Policies policies(String function) {
        return policies.getOrDefault(function, Policies.DEFAULT);
    }

    /** The functions, in the order they were found. */
    public List<Manifest.Function> functions() {
        return manifest.functions();
    }

    /** The names of the services its functions are placed in, in the order they appear. */
    public List<String> services() {
        return manifest.functions().stream().map(Manifest.Function::service).distinct().toList();
    }

    /**
     * Where each service's worker listens, by service name: filled before the deployment serves,
     * and while a worker restarts, without the service.
     */
    public Map<String, Endpoint> endpoints() {
        return endpoints;
    }

    /**
     * Counts a call that starts on this deployment; its end is {@link #exit}. False, and nothing
     * counted, once it retires: the call goes to the deployment that serves now.
     */
    public boolean enter() {
        return drain.enter();
    }

    public void exit() {
        drain.exit();
    }

    /** Closes {@code resource} (such as this deployment's workers) when the deployment retires. */
    public void closeWhenRetired(AutoCloseable resource) {
        drain.closeWhenDrained(resource);
    }

    /** Lets this deployment go once it no longer serves: when the calls in flight on it have ended, its workers stop. */
    public Thread retire() {
        return drain.start(toString(), () -> { });
    }

    @Override
    public String toString() {
        return app() + "@" + id;
    }
}
