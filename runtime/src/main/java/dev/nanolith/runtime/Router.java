package dev.nanolith.runtime;

import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.load.Problem;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which revision of each app serves, and so which route a function name leads to. A deploy
 * replaces an app's revision atomically: a call sees either the old one or the new one.
 */
public final class Router {

    /** What the router serves at one moment; replaced whole, never changed. */
    private record Table(Map<String, Revision> apps, Map<String, Route> routes) {
    }

    private volatile Table table = new Table(Map.of(), Map.of());

    /**
     * Makes {@code revision} the one that serves its app and returns the revision it replaced,
     * or null. Calls in flight finish on the old revision, which then retires.
     */
    public synchronized Revision deploy(Revision revision) throws LoadException {
        check(revision);
        Table current = table;
        Map<String, Revision> apps = new LinkedHashMap<>(current.apps());
        Revision previous = apps.put(revision.app(), revision);
        Map<String, Route> routes = new HashMap<>();
        for (Revision r : apps.values()) {
            r.routes().forEach(route -> routes.put(route.name(), route));
        }
        table = new Table(Collections.unmodifiableMap(apps), Map.copyOf(routes));
        if (previous != null) {
            previous.retire();
        }
        return previous;
    }

    /** Fails if {@code revision} could not serve next to the other apps: a function name taken by another app. */
    public void check(Revision revision) throws LoadException {
        Table current = table;
        List<Problem> clashes = new ArrayList<>();
        for (Route route : revision.routes()) {
            Route other = current.routes().get(route.name());
            if (other != null && !other.revision().app().equals(revision.app())) {
                clashes.add(Problem.of(route.spec().source(), "function name '" + route.name()
                        + "' is taken by app '" + other.revision().app() + "' — rename it with @Name"));
            }
        }
        if (!clashes.isEmpty()) {
            throw new LoadException(clashes);
        }
    }

    /** The route of a function, or null when no app has it. */
    public Route route(String function) {
        return table.routes().get(function);
    }

    /** The revisions serving now, one per app. */
    public Collection<Revision> revisions() {
        return table.apps().values();
    }
}
