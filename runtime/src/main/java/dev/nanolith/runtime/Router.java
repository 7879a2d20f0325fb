package dev.nanolith.runtime;

import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.load.Problem;
import dev.nanolith.runtime.placement.Deployment;
import dev.nanolith.runtime.placement.Manifest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which deployment of each app serves, and so where a function name leads. A deploy replaces an
 * app's deployment atomically: a call sees either the old one or the new one.
 */
public final class Router {

    /** Where a function name leads: the function, in the deployment that serves it now. */
    public record Target(Deployment deployment, Manifest.Function function) {
    }

    /** What the router serves at one moment; replaced whole, never changed. */
    private record Table(Map<String, Deployment> apps, Map<String, Target> routes) {
    }

    private volatile Table table = new Table(Map.of(), Map.of());

    /**
     * Makes {@code deployment} the one that serves its app and returns the one it replaced, or
     * null. Calls in flight finish on the old one, which then retires.
     */
    public synchronized Deployment deploy(Deployment deployment) throws LoadException {
        refuseClashes(deployment.app(), deployment.functions(), taken());
        Table current = table;
        Map<String, Deployment> apps = new LinkedHashMap<>(current.apps());
        Deployment previous = apps.put(deployment.app(), deployment);
        Map<String, Target> routes = new HashMap<>();
        for (Deployment d : apps.values()) {
            d.functions().forEach(fn -> routes.put(fn.name(), new Target(d, fn)));
        }
        table = new Table(Collections.unmodifiableMap(apps), Map.copyOf(routes));
        if (previous != null) {
            previous.retire();
        }
        return previous;
    }

    /**
     * Fails if {@code functions} of {@code app} could not serve next to the other apps: a function
     * name another app takes, by {@code taken} (function name to app, as {@link #taken} gives).
     */
    public static void refuseClashes(String app, Collection<Manifest.Function> functions, Map<String, String> taken) throws LoadException {
        List<Problem> clashes = new ArrayList<>();
        for (Manifest.Function fn : functions) {
            String other = taken.get(fn.name());
            if (other != null && !other.equals(app)) {
                clashes.add(Problem.of(fn.source(), "function name '" + fn.name() + "' is taken by app '" + other + "' — rename it with @Name"));
            }
        }
        if (!clashes.isEmpty()) {
            throw new LoadException(clashes);
        }
    }

    /** The app that serves each function name now. */
    public Map<String, String> taken() {
        Map<String, String> taken = new HashMap<>();
        table.routes().forEach((name, target) -> taken.put(name, target.deployment().app()));
        return taken;
    }

    /** Where a function name leads, or null when no app has it. */
    public Target route(String function) {
        return table.routes().get(function);
    }

    /** The deployments serving now, one per app. */
    public Collection<Deployment> deployments() {
        return table.apps().values();
    }
}
