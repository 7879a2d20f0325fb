package dev.nanolith.audit;

import dev.nanolith.runtime.observe.Activation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/** One operation's calls, as one trace recorded them, linked by their parents. */
final class Trace {

    final String id;
    final List<Activation> calls;
    private final Map<String, Activation> byId = new HashMap<>();
    private final Map<String, List<Activation>> children = new HashMap<>();
    /** The call the operation entered by; null when its record was not kept. */
    final Activation entry;

    Trace(String id, List<Activation> calls) {
        this.id = id;
        this.calls = calls;
        calls.forEach(a -> byId.put(a.id(), a));
        calls.forEach(a -> children.computeIfAbsent(a.parentId(), p -> new ArrayList<>()).add(a));
        this.entry = calls.stream().filter(a -> a.caller().equals("entry")).min(Comparator.comparing(Activation::start)).orElse(null);
    }

    /** The call that made {@code a}, or null for the entry (or a parent not kept). */
    Activation parent(Activation a) {
        return byId.get(a.parentId());
    }

    /** The calls whose caller ran in another service of {@code serviceOf}, the gateway's call of the entry not counted. */
    List<Activation> remoteCalls(Function<Activation, String> serviceOf) {
        return calls.stream().filter(a -> {
            Activation parent = parent(a);
            return parent != null && !serviceOf.apply(parent).equals(serviceOf.apply(a));
        }).toList();
    }

    int remoteHops() {
        return remoteCalls(Activation::service).size();
    }

    /** Whether the operation failed: its entry did not succeed. */
    boolean failed() {
        return entry != null && entry.status() != Activation.Status.SUCCESS;
    }

    /** Those of {@code traces} that did not fail; all of them when every one failed. */
    static List<Trace> succeeded(List<Trace> traces) {
        List<Trace> ok = traces.stream().filter(t -> !t.failed()).toList();
        return ok.isEmpty() ? traces : ok;
    }

    /** How long the operation took, in ns: its entry's call; 0 when that was not kept. */
    long nanos() {
        return entry == null ? 0 : entry.durationNanos();
    }

    /**
     * How long the operation spent between processes, in ns: what its callers waited on their
     * calls into other processes, less what those calls took where they ran.
     */
    long betweenNanos() {
        long waited = calls.stream().mapToLong(Activation::remoteNanos).sum();
        long ran = remoteCalls(Activation::service).stream().mapToLong(Activation::durationNanos).sum();
        return Math.max(0, waited - ran);
    }

    /** The bytes its calls between processes carried, both ways. */
    long remoteBytes() {
        return remoteCalls(Activation::service).stream().mapToLong(a -> Math.max(0, a.bytesIn()) + Math.max(0, a.bytesOut())).sum();
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
        Set<List<String>> edges = new LinkedHashSet<>();
        for (Activation a : remoteCalls(Activation::service)) {
            edges.add(List.of(parent(a).service(), a.service()));
        }
        return edges;
    }

    /**
     * The traces of {@code revision} of {@code app} among {@code records}, any app's in any order;
     * the gateway's own records are not calls of the app's functions.
     */
    static List<Trace> of(String app, String revision, List<Activation> records) {
        Map<String, List<Activation>> byTrace = new java.util.LinkedHashMap<>();
        for (Activation a : records) {
            if (a.app().equals(app) && a.revision().equals(revision) && !a.service().equals(Activation.GATEWAY)) {
                byTrace.computeIfAbsent(a.traceId(), t -> new ArrayList<>()).add(a);
            }
        }
        return byTrace.entrySet().stream().map(e -> new Trace(e.getKey(), e.getValue())).toList();
    }

    /** The median of {@code values}; 0 of none. */
    static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }
}
