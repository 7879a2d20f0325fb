package dev.nanolith.audit;

import dev.nanolith.runtime.observe.Activation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jgrapht.Graph;
import org.jgrapht.alg.cycle.JohnsonSimpleCycles;
import org.jgrapht.graph.DefaultDirectedGraph;
import org.jgrapht.graph.DefaultEdge;

/**
 * Audits an app's granularity from its placement and the activation records of its traffic. Each
 * trace is one operation: the calls its entry function caused, each with the service it ran in
 * and its parent, from which follow its remote hops (calls from one service to another), its depth,
 * its fan-out and the services it depends on; across traces, which service calls which — whence
 * services with a single caller and cycles between services. The thresholds are {@link Guidelines}.
 */
public final class Auditor {

    /**
     * The thresholds the findings are measured against.
     *
     * @param typicalServices the most services an app typically needs (the articles on the anti-pattern say 5 to 15)
     * @param maxServices     past this many services, the red flag (25)
     * @param maxDependencies the most services other than its entry's that one operation should call (3)
     * @param maxRemoteHops   the most calls between processes one operation should make
     */
    public record Guidelines(int typicalServices, int maxServices, int maxDependencies, int maxRemoteHops) {

        /** The defaults: 15 services typical, 25 a red flag, 3 dependencies and 3 remote hops an operation. */
        public static final Guidelines DEFAULT = new Guidelines(15, 25, 3, 3);
    }

    private final Guidelines guidelines;

    public Auditor(Guidelines guidelines) {
        this.guidelines = guidelines;
    }

    /**
     * The audit of {@code revision} of {@code app}, whose functions are placed in services as
     * {@code placement} says (function → service), from {@code records}, any app's, in any order.
     */
    public Audit audit(String app, String revision, Map<String, String> placement, List<Activation> records) {
        Map<String, List<Activation>> byTrace = new LinkedHashMap<>();
        for (Activation a : records) {
            if (a.app().equals(app) && a.revision().equals(revision) && !a.service().equals(Activation.GATEWAY)) {
                byTrace.computeIfAbsent(a.traceId(), t -> new ArrayList<>()).add(a);
            }
        }
        Map<String, List<Trace>> byEntry = new TreeMap<>();
        Map<String, Set<String>> callersOf = new TreeMap<>();
        Map<List<String>, String> edgeExample = new HashMap<>();
        for (Map.Entry<String, List<Activation>> trace : byTrace.entrySet()) {
            Trace t = new Trace(trace.getKey(), trace.getValue());
            if (t.entry != null) {
                byEntry.computeIfAbsent(t.entry.function(), e -> new ArrayList<>()).add(t);
            }
            t.serviceEdges().forEach(edge -> {
                callersOf.computeIfAbsent(edge.get(1), s -> new TreeSet<>()).add(edge.get(0));
                edgeExample.putIfAbsent(edge, t.id);
            });
        }
        List<Audit.Operation> operations = new ArrayList<>();
        byEntry.forEach((entry, traces) -> operations.add(new Audit.Operation(entry, traces.size(),
                median(traces.stream().map(t -> t.calls.size()).toList()), median(traces.stream().map(Trace::remoteHops).toList()),
                median(traces.stream().map(Trace::depth).toList()), median(traces.stream().map(Trace::fanOut).toList()),
                traces.stream().flatMap(t -> t.dependencies().stream()).distinct().sorted().toList(), traces.getLast().id)));
        operations.sort(Comparator.comparingInt(Audit.Operation::traces).reversed().thenComparing(Audit.Operation::entry));

        Map<String, List<String>> functionsOf = new TreeMap<>();
        placement.forEach((function, service) -> functionsOf.computeIfAbsent(service, s -> new ArrayList<>()).add(function));
        functionsOf.values().forEach(list -> list.sort(null));
        List<Audit.Service> services = functionsOf.entrySet().stream().map(s -> new Audit.Service(s.getKey(), s.getValue(),
                List.copyOf(callersOf.getOrDefault(s.getKey(), Set.of())))).toList();

        List<Audit.Finding> findings = new ArrayList<>();
        cycles(callersOf, edgeExample, findings);
        if (services.size() > guidelines.maxServices()) {
            findings.add(new Audit.Finding(Audit.Kind.TOO_MANY_SERVICES, app, services.size() + " services, past the red flag of "
                    + guidelines.maxServices() + " (" + guidelines.typicalServices() + " or fewer is typical)",
                    "group functions that serve one business capability into one service (./nanolith plan " + app + ")", List.of()));
        }
        for (Audit.Operation op : operations) {
            if (op.dependencies().size() > guidelines.maxDependencies()) {
                findings.add(new Audit.Finding(Audit.Kind.MANY_DEPENDENCIES, op.entry(), "calls " + op.dependencies().size()
                        + " services besides its own: " + String.join(", ", op.dependencies()) + " (at most " + guidelines.maxDependencies()
                        + ")", "place the services it depends on with '" + op.entry() + "', or make them library functions",
                        List.of(op.example())));
            }
            if (op.remoteHops() > guidelines.maxRemoteHops()) {
                findings.add(new Audit.Finding(Audit.Kind.MANY_HOPS, op.entry(), op.remoteHops() + " calls between processes of its "
                        + op.calls() + " calls (median of " + op.traces() + " traces; at most " + guidelines.maxRemoteHops() + ")",
                        "place the functions it calls most with '" + op.entry() + "'", List.of(op.example())));
            }
        }
        callersOf.forEach((service, callers) -> {
            if (callers.size() == 1 && functionsOf.containsKey(service) && byEntry.keySet().stream().noneMatch(e -> service.equals(placement.get(e)))) {
                String caller = callers.iterator().next();
                findings.add(new Audit.Finding(Audit.Kind.SINGLE_CALLER, service, "only '" + caller + "' calls it, and no operation enters"
                        + " by it", "merge '" + service + "' into '" + caller + "'", List.of(edgeExample.get(List.of(caller, service)))));
            }
        });
        findings.sort(Comparator.comparing(Audit.Finding::kind));
        return new Audit(app, revision, byTrace.size(), services, operations, findings);
    }

    /** Cycles between services, each once: Johnson's algorithm over the services' call graph. */
    private static void cycles(Map<String, Set<String>> callersOf, Map<List<String>, String> edgeExample, List<Audit.Finding> findings) {
        Graph<String, DefaultEdge> calls = new DefaultDirectedGraph<>(DefaultEdge.class);
        callersOf.forEach((callee, callers) -> callers.forEach(caller -> {
            calls.addVertex(caller);
            calls.addVertex(callee);
            calls.addEdge(caller, callee);
        }));
        for (List<String> cycle : new JohnsonSimpleCycles<>(calls).findSimpleCycles()) {
            List<String> round = new ArrayList<>(cycle);
            round.add(cycle.getFirst());
            List<String> traces = new ArrayList<>();
            for (int i = 0; i + 1 < round.size(); i++) {
                traces.add(edgeExample.get(List.of(round.get(i), round.get(i + 1))));
            }
            findings.add(new Audit.Finding(Audit.Kind.CYCLE, String.join(" → ", round), "each calls the next: " + String.join(" → ", round),
                    "merge them, or move the function that calls back into the service it calls", traces.stream().distinct().toList()));
        }
    }

    private static int median(List<Integer> values) {
        List<Integer> sorted = values.stream().sorted().toList();
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }

    /** One operation's calls, linked by their parents. */
    private static final class Trace {
        private final String id;
        private final List<Activation> calls;
        private final Map<String, Activation> byId = new HashMap<>();
        private final Map<String, List<Activation>> children = new HashMap<>();
        private final Activation entry;

        Trace(String id, List<Activation> calls) {
            this.id = id;
            this.calls = calls;
            calls.forEach(a -> byId.put(a.id(), a));
            calls.forEach(a -> children.computeIfAbsent(a.parentId(), p -> new ArrayList<>()).add(a));
            this.entry = calls.stream().filter(a -> a.caller().equals("entry")).min(Comparator.comparing(Activation::start)).orElse(null);
        }

        /** The service of the call that made {@code a}, or null for the entry (or a parent not kept). */
        private String callerService(Activation a) {
            Activation parent = byId.get(a.parentId());
            return parent == null ? null : parent.service();
        }

        int remoteHops() {
            return (int) calls.stream().filter(a -> {
                String from = callerService(a);
                return from != null && !from.equals(a.service());
            }).count();
        }

        int depth() {
            return entry == null ? 0 : depth(entry, 0);
        }

        private int depth(Activation a, int guard) {
            // Ids are random: a loop in a forged record ends here, not in a stack overflow.
            if (guard > calls.size()) {
                return 0;
            }
            return 1 + children.getOrDefault(a.id(), List.of()).stream().mapToInt(c -> depth(c, guard + 1)).max().orElse(0);
        }

        int fanOut() {
            return calls.stream().mapToInt(a -> children.getOrDefault(a.id(), List.of()).size()).max().orElse(0);
        }

        /** The services this operation called besides its entry's. */
        Set<String> dependencies() {
            return calls.stream().map(Activation::service).filter(s -> entry == null || !s.equals(entry.service()))
                    .collect(Collectors.toCollection(TreeSet::new));
        }

        /** Which service called which, as pairs [caller, callee]. */
        Set<List<String>> serviceEdges() {
            Set<List<String>> edges = new java.util.LinkedHashSet<>();
            for (Activation a : calls) {
                String from = callerService(a);
                if (from != null && !from.equals(a.service())) {
                    edges.add(List.of(from, a.service()));
                }
            }
            return edges;
        }
    }
}
