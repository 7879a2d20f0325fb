package dev.nanolith.audit;

import dev.nanolith.runtime.config.AppConfig;
import dev.nanolith.runtime.config.ServiceConfig;
import dev.nanolith.runtime.observe.Activation;
import dev.nanolith.runtime.placement.Placement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jgrapht.Graph;
import org.jgrapht.graph.DefaultWeightedEdge;
import org.jgrapht.graph.SimpleWeightedGraph;

/**
 * Proposes where an app's functions should run, from the traffic its activation records show.
 * The cost of a call between processes is measured ({@link Plan.Model}); the functions form a
 * graph whose edges weigh what the calls between two functions would cost if they crossed
 * processes (JGraphT). From the services that serve now, the two whose calls cost the most are
 * merged, step by step, as long as the {@link Constraints} allow, like an agglomerative
 * clustering that stops where no remote call is left to save; then functions no traffic reached
 * go to the service of the functions named like them. Each merge is one step of the plan.
 */
final class Planner {

    /**
     * What a plan may not change.
     *
     * @param isolated     functions that keep a process of their own (or their isolated service's)
     * @param independent  per function of a service marked {@code scale: independent}, that service: never grouped with others
     * @param owners       per function, its owner; only when the plan keeps owners' functions apart, empty otherwise
     * @param maxFunctions the most functions one service may have; 0: no limit
     * @param library      library functions: a copy runs with each caller, so calls of them cost no hop in any plan
     */
    record Constraints(Set<String> isolated, Map<String, String> independent, Map<String, String> owners, int maxFunctions,
                              Set<String> library) {

        public Constraints {
            library = Set.copyOf(library);
            isolated = Set.copyOf(isolated);
            independent = Map.copyOf(independent);
            owners = Map.copyOf(owners);
        }

        /** The constraints {@code config} sets on {@code functions}; owners' functions kept apart when {@code byOwner}. */
        static Constraints of(AppConfig config, Collection<String> functions, boolean byOwner, int maxFunctions) {
            Set<String> isolated = new TreeSet<>();
            Map<String, String> independent = new HashMap<>();
            Map<String, String> owners = new HashMap<>();
            Set<String> library = new TreeSet<>();
            for (String function : functions) {
                if (config.function(function).library() && !config.function(function).isolated()) {
                    library.add(function);
                }
                String configured = Placement.configuredService(config, function);
                ServiceConfig service = configured == null ? null : config.services().get(configured);
                if (config.function(function).isolated() || service != null && service.isolated()) {
                    isolated.add(function);
                }
                if (service != null && ServiceConfig.INDEPENDENT.equals(service.scale())) {
                    independent.put(function, configured);
                }
                String owner = ownerOf(config, function);
                if (byOwner && owner != null) {
                    owners.put(function, owner);
                }
            }
            return new Constraints(isolated, independent, owners, maxFunctions, library);
        }

        /** Whether the functions of {@code a} and {@code b} may share a process. */
        boolean allow(Set<String> a, Set<String> b) {
            if (a.stream().anyMatch(isolated::contains) || b.stream().anyMatch(isolated::contains)) {
                return false;
            }
            if (maxFunctions > 0 && a.size() + b.size() > maxFunctions) {
                return false;
            }
            Set<String> scaled = new TreeSet<>();
            Set<String> owned = new TreeSet<>();
            for (Set<String> side : List.of(a, b)) {
                side.forEach(f -> scaled.add(independent.getOrDefault(f, "")));
                side.stream().map(owners::get).filter(Objects::nonNull).forEach(owned::add);
            }
            return scaled.size() == 1 && owned.size() <= 1;
        }
    }

    /** The owner of {@code function}: its own {@code owner:}, or its configured service's; null when none. */
    static String ownerOf(AppConfig config, String function) {
        if (config.function(function).owner() != null) {
            return config.function(function).owner();
        }
        String configured = Placement.configuredService(config, function);
        return configured == null ? null : config.services().get(configured).owner();
    }

    /**
     * The plan for {@code revision} of {@code app}, whose functions are placed as {@code placement}
     * says (function → service), from {@code records}, any app's, in any order: its first
     * {@code maxSteps} steps at most, and what they are predicted to do.
     */
    Plan plan(String app, String revision, Map<String, String> placement, List<Activation> records, Usage cpu, Constraints constraints,
                     int maxSteps) {
        List<Trace> traces = Trace.of(app, revision, records);
        // What a hop costs is read from the operations that succeeded: a failed one may have stopped before its calls.
        Plan.Model model = fit(Trace.succeeded(traces));
        Graph<String, DefaultWeightedEdge> cost = new SimpleWeightedGraph<>(DefaultWeightedEdge.class);
        Map<DefaultWeightedEdge, Integer> calls = new HashMap<>();
        placement.keySet().forEach(cost::addVertex);
        Map<String, Set<String>> callers = new TreeMap<>();
        for (Trace t : traces) {
            for (Activation a : t.calls) {
                Activation parent = t.parent(a);
                if (parent == null || !cost.containsVertex(a.function()) || !cost.containsVertex(parent.function())) {
                    continue;
                }
                callers.computeIfAbsent(a.function(), f -> new TreeSet<>()).add(parent.function());
                if (parent.function().equals(a.function()) || constraints.library().contains(a.function())) {
                    continue;
                }
                DefaultWeightedEdge edge = cost.getEdge(parent.function(), a.function());
                if (edge == null) {
                    edge = cost.addEdge(parent.function(), a.function());
                    cost.setEdgeWeight(edge, 0);
                }
                long bytes = Math.max(0, a.bytesIn()) + Math.max(0, a.bytesOut());
                cost.setEdgeWeight(edge, cost.getEdgeWeight(edge) + model.hopMicros() * 1000 + model.nanosPerByte() * bytes);
                calls.merge(edge, 1, Integer::sum);
            }
        }

        Map<String, Set<String>> services = new TreeMap<>();
        placement.forEach((function, service) -> services.computeIfAbsent(service, s -> new TreeSet<>()).add(function));
        List<Plan.Step> steps = new ArrayList<>();
        int operations = Math.max(1, traces.size());
        while (true) {
            Map<String, String> serviceOf = serviceOf(services);
            Map<List<String>, double[]> between = new HashMap<>();
            for (DefaultWeightedEdge edge : cost.edgeSet()) {
                String a = serviceOf.get(cost.getEdgeSource(edge));
                String b = serviceOf.get(cost.getEdgeTarget(edge));
                if (!a.equals(b)) {
                    double[] sum = between.computeIfAbsent(a.compareTo(b) < 0 ? List.of(a, b) : List.of(b, a), k -> new double[2]);
                    sum[0] += cost.getEdgeWeight(edge);
                    sum[1] += calls.get(edge);
                }
            }
            Map.Entry<List<String>, double[]> best = between.entrySet().stream()
                    .filter(e -> constraints.allow(services.get(e.getKey().get(0)), services.get(e.getKey().get(1))))
                    .max(Comparator.<Map.Entry<List<String>, double[]>>comparingDouble(e -> e.getValue()[0])
                            .thenComparing(e -> e.getKey().toString(), Comparator.reverseOrder()))
                    .orElse(null);
            if (best == null) {
                break;
            }
            String a = best.getKey().get(0);
            String b = best.getKey().get(1);
            Set<String> merged = new TreeSet<>(services.remove(a));
            merged.addAll(services.remove(b));
            String into = name(merged, services.keySet(), callers);
            services.put(into, merged);
            steps.add(new Plan.Step(Plan.Kind.MERGE, into, List.copyOf(merged), best.getValue()[0] / 1000 / operations,
                    String.format(java.util.Locale.ROOT, "%s and %s: %.0f calls between them in %d traces", a, b, best.getValue()[1], traces.size())));
        }
        Set<String> reached = new TreeSet<>();
        traces.forEach(t -> t.calls.forEach(a -> reached.add(a.function())));
        moveUnreached(services, reached, constraints, steps, callers);
        Map<String, List<String>> rules = new TreeMap<>();
        callers.forEach((function, from) -> rules.put(function, List.copyOf(from)));
        List<Plan.Step> taken = steps.subList(0, Math.min(maxSteps, steps.size()));
        Map<String, String> after = new Plan(app, revision, model, placement, taken, List.of(), rules).placement();
        model = new Plan.Model(model.traces(), model.hopMicros(), model.nanosPerByte(), cpu);
        return new Plan(app, revision, model, placement, taken, predict(traces, after, constraints.library()), rules);
    }

    /**
     * Functions that no traffic reached, alone in their service, go to the service that holds
     * most functions named like them ({@code catalog.*}), or together into one of their own.
     */
    private static void moveUnreached(Map<String, Set<String>> services, Set<String> reached, Constraints constraints,
                                      List<Plan.Step> steps, Map<String, Set<String>> callers) {
        List<String> unreached = services.entrySet().stream()
                .filter(e -> e.getValue().size() == 1 && !reached.contains(e.getValue().iterator().next())).map(Map.Entry::getKey).toList();
        for (String service : unreached) {
            Set<String> functions = services.get(service);
            if (functions == null || functions.size() != 1) {
                continue; // another unreached function joined it already
            }
            String function = functions.iterator().next();
            String domain = domain(function);
            String target = services.entrySet().stream()
                    .filter(e -> !e.getKey().equals(service) && constraints.allow(e.getValue(), functions))
                    .filter(e -> e.getValue().stream().anyMatch(f -> domain(f).equals(domain)))
                    .max(Comparator.comparingLong(e -> e.getValue().stream().filter(f -> domain(f).equals(domain)).count()))
                    .map(Map.Entry::getKey).orElse(null);
            if (target == null) {
                continue;
            }
            Set<String> merged = new TreeSet<>(services.remove(target));
            merged.addAll(services.remove(service));
            String into = name(merged, services.keySet(), callers);
            services.put(into, merged);
            steps.add(new Plan.Step(Plan.Kind.MOVE, into, List.copyOf(merged), 0,
                    function + ": no call of it was seen; with the other " + domain + ".* functions, one process fewer to run"));
        }
    }

    /**
     * Per operation, what it takes now and what it is predicted to take when placed as {@code after},
     * from the traces that succeeded (all of them when none did).
     */
    static List<Plan.Prediction> predict(List<Trace> traces, Map<String, String> after, Set<String> library) {
        Map<String, List<Trace>> byEntry = new TreeMap<>();
        traces.stream().filter(t -> t.entry != null).forEach(t -> byEntry.computeIfAbsent(t.entry.function(), e -> new ArrayList<>()).add(t));
        List<Plan.Prediction> predictions = new ArrayList<>();
        byEntry.forEach((entry, all) -> {
            List<Trace> of = Trace.succeeded(all);
            List<Long> predicted = new ArrayList<>();
            List<Long> hopsAfter = new ArrayList<>();
            for (Trace t : of) {
                // Now: where the records say each call ran (a library function's copy ran with its caller).
                int before = t.remoteHops();
                // A library function's copy runs in its caller's process.
                int remaining = (int) t.remoteCalls(a -> after.getOrDefault(a.function(), a.service())).stream()
                        .filter(a -> !library.contains(a.function())).count();
                // The calls that stay between processes keep their share of the time measured there.
                double kept = before == 0 ? 1 : Math.min(1, (double) remaining / before);
                predicted.add(Math.round(t.nanos() - t.betweenNanos() * (1 - kept)));
                hopsAfter.add((long) remaining);
            }
            predictions.add(new Plan.Prediction(entry, all.size(), Trace.median(of.stream().map(Trace::nanos).toList()) / 1e6,
                    (int) Trace.median(of.stream().map(t -> (long) t.remoteHops()).toList()), Trace.median(predicted) / 1e6,
                    (int) Trace.median(hopsAfter)));
        });
        predictions.sort(Comparator.comparingInt(Plan.Prediction::traces).reversed().thenComparing(Plan.Prediction::entry));
        return predictions;
    }

    /**
     * The cost of a call between processes, fitted by least squares to the traces' time between
     * processes against their calls between processes and the bytes those carried; a fit that
     * gives either a negative cost falls back to the mean time a call.
     */
    static Plan.Model fit(List<Trace> traces) {
        double hh = 0, hb = 0, bb = 0, yh = 0, yb = 0;
        int fitted = 0;
        for (Trace t : traces) {
            double h = t.remoteHops();
            double b = t.remoteBytes();
            double y = t.betweenNanos();
            if (h == 0) {
                continue;
            }
            fitted++;
            hh += h * h;
            hb += h * b;
            bb += b * b;
            yh += y * h;
            yb += y * b;
        }
        double det = hh * bb - hb * hb;
        double perHop = det > 0 ? (yh * bb - yb * hb) / det : 0;
        double perByte = det > 0 ? (yb * hh - yh * hb) / det : 0;
        if (det <= 0 || perHop < 0 || perByte < 0) {
            double hops = traces.stream().mapToDouble(Trace::remoteHops).sum();
            perHop = hops == 0 ? 0 : traces.stream().mapToDouble(Trace::betweenNanos).sum() / hops;
            perByte = 0;
        }
        return new Plan.Model(fitted, perHop / 1000, perByte, null);
    }

    private static Map<String, String> serviceOf(Map<String, Set<String>> services) {
        Map<String, String> of = new HashMap<>();
        services.forEach((service, functions) -> functions.forEach(f -> of.put(f, service)));
        return of;
    }

    /** A function's business domain: its name up to the first dot ({@code orders} of {@code orders.create-order}). */
    static String domain(String function) {
        int dot = function.indexOf('.');
        return dot > 0 ? function.substring(0, dot) : function;
    }

    /**
     * A service's name: the domain most of its functions share — of those, the domain of a
     * function that none of the others calls ({@code callers}: each function's), where its
     * operations start — as {@code services:} takes names (lower-case letters, digits and
     * dashes), and not one of {@code taken}.
     */
    static String name(Set<String> functions, Set<String> taken, Map<String, Set<String>> callers) {
        Map<String, Long> domains = functions.stream().collect(Collectors.groupingBy(Planner::domain, LinkedHashMap::new, Collectors.counting()));
        Set<String> starts = functions.stream().filter(f -> callers.getOrDefault(f, Set.of()).stream().noneMatch(functions::contains))
                .map(Planner::domain).collect(Collectors.toSet());
        String domain = domains.entrySet().stream().max(Map.Entry.<String, Long>comparingByValue()
                .thenComparing(e -> starts.contains(e.getKey()))
                .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder()))).orElseThrow().getKey();
        String name = ServiceConfig.nameFor(domain);
        String unique = name;
        for (int i = 2; taken.contains(unique); i++) {
            unique = name + "-" + i;
        }
        return unique;
    }
}
