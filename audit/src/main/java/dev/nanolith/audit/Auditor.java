package dev.nanolith.audit;

import dev.nanolith.observe.Recording;
import dev.nanolith.runtime.config.AppConfig;
import dev.nanolith.runtime.observe.Activation;
import dev.nanolith.runtime.config.ServiceConfig;
import dev.nanolith.runtime.placement.Manifest;
import dev.nanolith.runtime.placement.Placement;
import java.util.ArrayList;
import java.util.stream.Collectors;
import java.util.regex.Pattern;
import java.util.Objects;
import java.util.Locale;
import java.util.HashSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.function.ToIntFunction;
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
     * @param onPush          what a push whose placement and code the guidelines flag gets
     */
    public record Guidelines(int typicalServices, int maxServices, int maxDependencies, int maxRemoteHops, OnPush onPush) {

        /** The settings of the guidelines, as the platform's environment names them. */
        public static final String TYPICAL_SERVICES = "NANOLITH_TYPICAL_SERVICES", MAX_SERVICES = "NANOLITH_MAX_SERVICES",
                MAX_DEPENDENCIES = "NANOLITH_MAX_DEPENDENCIES", MAX_REMOTE_HOPS = "NANOLITH_MAX_REMOTE_HOPS", ON_PUSH = "NANOLITH_GUIDELINES";

        /** The defaults: 15 services typical, 25 a red flag, 3 dependencies and 3 remote hops an operation; pushes warned. */
        public static final Guidelines DEFAULT = new Guidelines(15, 25, 3, 3, OnPush.WARN);

        /**
         * The guidelines {@code settings} set, the defaults for those they do not.
         *
         * @throws IllegalArgumentException naming a setting whose value is not one it takes
         */
        public static Guidelines of(UnaryOperator<String> settings) {
            String onPush = settings.apply(ON_PUSH);
            OnPush mode = onPush == null || onPush.isBlank() ? DEFAULT.onPush() : Arrays.stream(OnPush.values())
                    .filter(m -> m.name().equalsIgnoreCase(onPush.strip())).findFirst().orElseThrow(() -> new IllegalArgumentException(ON_PUSH
                            + ": '" + onPush + "' is not known — use off, warn or enforce"));
            return new Guidelines((int) Recording.number(settings, TYPICAL_SERVICES, DEFAULT.typicalServices(), 1),
                    (int) Recording.number(settings, MAX_SERVICES, DEFAULT.maxServices(), 1),
                    (int) Recording.number(settings, MAX_DEPENDENCIES, DEFAULT.maxDependencies(), 0),
                    (int) Recording.number(settings, MAX_REMOTE_HOPS, DEFAULT.maxRemoteHops(), 0), mode);
        }

        public Guidelines {
            if (typicalServices > maxServices) {
                throw new IllegalArgumentException(TYPICAL_SERVICES + " (" + typicalServices + ") is above " + MAX_SERVICES + " (" + maxServices
                        + "): the services an app typically needs are fewer than its red flag");
            }
        }
    }

    /** What a push that the guidelines flag gets. */
    public enum OnPush {
        /** Nothing. */
        OFF,
        /** A {@code remote:} line per finding; it deploys. */
        WARN,
        /** A {@code remote:} line per finding, and a refusal. */
        ENFORCE
    }

    /**
     * What the audit knows of one function of the app besides its traffic.
     *
     * @param service the service it is placed in
     * @param calls   the functions its code calls: its edges in the static call graph
     * @param owner   the team that owns it; null: none
     * @param library whether its config marks it {@code library: true}
     * @param code    its code with identifiers and literals abstracted, as the manifest keeps it; empty: not known
     * @param independent whether its configured service is marked {@code scale: independent}
     */
    public record Function(String name, String service, List<String> calls, String owner, boolean library, String code, boolean independent) {

        public Function {
            calls = List.copyOf(calls);
            code = code == null ? "" : code;
        }

        /** A function as its manifest and its app's config describe it. */
        public static Function of(Manifest.Function fn, AppConfig config) {
            String configured = Placement.configuredService(config, fn.name());
            boolean independent = configured != null && ServiceConfig.INDEPENDENT.equals(config.services().get(configured).scale());
            return new Function(fn.name(), fn.service(), fn.calls(), Planner.ownerOf(config, fn.name()), config.function(fn.name()).library(), fn.code(),
                    independent);
        }
    }

    /** A function of another app on the platform, for finding the same logic under other names. */
    public record Peer(String app, String function, String owner, String code) {
    }

    /** Words that name a technical concern, not a business capability, in a function's name. */
    private static final Pattern UTILITY = Pattern.compile("valid|validate|validation|validator|log|logs|logging|logger|cache|caching|cached"
            + "|format|formatting|formatter|config|configuration|settings|notify|notification|notifications|notifier");
    /** How alike two functions' code must be, 0 to 1, to be called the same logic: the Jaccard index of their syntax 4-grams. */
    static final double DUPLICATE = 0.9;
    /** The most services one team runs well. */
    static final int SERVICES_A_TEAM = 2;
    /** The fewest syntax nodes a function's code must have for a duplicate of it to mean something. */
    static final int DUPLICATE_NODES = 40;

    private final Guidelines guidelines;

    public Auditor(Guidelines guidelines) {
        this.guidelines = guidelines;
    }

    /**
     * The audit of {@code revision} of {@code app}: its {@code functions} as placed and as their
     * code and config describe them, the functions of the platform's other apps ({@code peers}),
     * the activation records of its traffic ({@code records}, any app's, in any order), and what
     * the plan that placed it predicted each operation would take ({@code predicted}, ms by entry),
     * and the CPU used meanwhile ({@code cpu}; null when not measured).
     */
    public Audit audit(String app, String revision, List<Function> functions, List<Peer> peers, List<Activation> records,
                       Map<String, Double> predicted, Usage cpu) {
        Reading read = Reading.of(app, revision, functions, records);
        List<Audit.Operation> operations = operations(read, predicted);
        List<Audit.Finding> findings = findings(read, operations, peers);
        List<Audit.Service> services = read.functionsOf().entrySet().stream().map(s -> {
            List<String> names = s.getValue().stream().map(Function::name).sorted().toList();
            List<String> owners = s.getValue().stream().map(Function::owner).filter(Objects::nonNull).distinct().sorted().toList();
            Double cores = cpu == null ? null : cpu.services().get(s.getKey());
            int calls = read.callsIn().getOrDefault(s.getKey(), 0);
            String cost = cores == null ? "" : String.format(Locale.ROOT, "; its worker used %.3f cores for %d calls, %.0f%% of the CPU"
                    + " of the app's %d workers", cores, calls, 100 * cores / Math.max(1e-9, cpu.workers()), cpu.services().size());
            return new Audit.Service(s.getKey(), names, List.copyOf(read.callersOf().getOrDefault(s.getKey(), Set.of())), owners, calls, cores,
                    checklist(read, s.getKey(), operations, findings, cost));
        }).toList();
        return new Audit(app, revision, read.traces().size(), services, operations, findings, cpu);
    }

    /**
     * An app's functions and the traffic read, as the audit looks at them: the traces by entry
     * function; each service's callers, from the traffic and from the code (a library function's
     * copy runs with its caller), with a trace of each edge between services; the calls into each
     * service from another process, and all the calls it ran; the services operations enter by;
     * and each owner's services.
     */
    private record Reading(String app, List<Function> functions, Map<String, Function> byName, Map<String, List<Function>> functionsOf,
                           List<Trace> traces, Map<String, List<Trace>> byEntry, Map<String, Set<String>> callersOf,
                           Map<List<String>, String> edgeExample, Map<String, Integer> callsInto, Map<String, Integer> callsIn,
                           Set<String> entered, Map<String, Set<String>> servicesOfOwner) {

        static Reading of(String app, String revision, List<Function> functions, List<Activation> records) {
            Map<String, Function> byName = new TreeMap<>();
            functions.forEach(f -> byName.put(f.name(), f));
            Map<String, List<Function>> functionsOf = new TreeMap<>();
            functions.forEach(f -> functionsOf.computeIfAbsent(f.service(), s -> new ArrayList<>()).add(f));
            List<Trace> traces = Trace.of(app, revision, records);
            Map<String, List<Trace>> byEntry = new TreeMap<>();
            Map<String, Set<String>> callersOf = new TreeMap<>();
            Map<List<String>, String> edgeExample = new HashMap<>();
            Map<String, Integer> callsInto = new TreeMap<>();
            Map<String, Integer> callsIn = new TreeMap<>();
            for (Trace t : traces) {
                t.calls.forEach(a -> callsIn.merge(a.service(), 1, Integer::sum));
                if (t.entry != null) {
                    byEntry.computeIfAbsent(t.entry.function(), e -> new ArrayList<>()).add(t);
                }
                t.serviceEdges().forEach(edge -> {
                    callersOf.computeIfAbsent(edge.get(1), s -> new TreeSet<>()).add(edge.get(0));
                    edgeExample.putIfAbsent(edge, t.id);
                });
                t.remoteCalls(Activation::service).forEach(a -> callsInto.merge(a.service(), 1, Integer::sum));
            }
            // The code's calls count too: a call that the traffic read did not make still ties two services.
            for (Function f : functions) {
                for (String callee : f.calls()) {
                    Function to = byName.get(callee);
                    if (to != null && !to.library() && !to.service().equals(f.service())) {
                        callersOf.computeIfAbsent(to.service(), s -> new TreeSet<>()).add(f.service());
                    }
                }
            }
            Set<String> entered = byEntry.keySet().stream().map(byName::get).filter(Objects::nonNull).map(Function::service).collect(Collectors.toSet());
            return new Reading(app, functions, byName, functionsOf, traces, byEntry, callersOf, edgeExample, callsInto, callsIn, entered,
                    Auditor.servicesOfOwner(functions));
        }
    }

    /** Each operation's figures, the medians of its traces that succeeded, the most entered first; {@code predicted}: ms by entry. */
    private static List<Audit.Operation> operations(Reading read, Map<String, Double> predicted) {
        List<Audit.Operation> operations = new ArrayList<>();
        read.byEntry().forEach((entry, all) -> {
            List<Trace> of = Trace.succeeded(all);
            operations.add(new Audit.Operation(entry, all.size(), (int) all.stream().filter(Trace::failed).count(),
                    median(of, t -> t.calls.size()), median(of, Trace::remoteHops), median(of, Trace::depth), median(of, Trace::fanOut),
                    Trace.median(of.stream().map(Trace::nanos).toList()) / 1e6, predicted.get(entry),
                    Trace.median(of.stream().map(t -> t.nanos() == 0 ? 0 : Math.round(1000.0 * t.betweenNanos() / t.nanos())).toList()) / 1000.0,
                    all.stream().flatMap(t -> t.dependencies().stream()).distinct().sorted().toList(), of.getLast().id));
        });
        operations.sort(Comparator.comparingInt(Audit.Operation::traces).reversed().thenComparing(Audit.Operation::entry));
        return operations;
    }

    /** What the guidelines flag in the app and its traffic, by kind; {@code peers}: the functions of the platform's other apps. */
    private List<Audit.Finding> findings(Reading read, List<Audit.Operation> operations, List<Peer> peers) {
        String app = read.app();
        List<Audit.Finding> findings = new ArrayList<>();
        cycles(read.callersOf(), read.edgeExample(), findings);
        if (read.functionsOf().size() > guidelines.maxServices()) {
            findings.add(tooManyServices(app, read.functionsOf().size(), " (./nanolith plan " + app + ")"));
        }
        for (Audit.Operation op : operations) {
            if (op.dependencies().size() > guidelines.maxDependencies()) {
                findings.add(manyDependencies(op.entry(), "calls", op.dependencies(), List.of(op.example())));
            }
            if (op.remoteHops() > guidelines.maxRemoteHops()) {
                findings.add(new Audit.Finding(Audit.Kind.MANY_HOPS, op.entry(), String.format(Locale.ROOT, "%s between processes of its"
                        + " %s, %.0f%% of its %.1f ms spent between processes (medians of %s; at most %d)", count(op.remoteHops(), "call"),
                        count(op.calls(), "call"), 100 * op.between(), op.millis(), count(op.failed() < op.traces() ? op.traces() - op.failed() : op.traces(),
                        "trace"), guidelines.maxRemoteHops()),
                        "place the functions it calls most with '" + op.entry() + "' (./nanolith plan " + app + ")", List.of(op.example())));
            }
        }
        read.functionsOf().forEach((service, of) -> {
            Set<String> callers = read.callersOf().getOrDefault(service, Set.of());
            if (read.functionsOf().size() > 1 && !callers.isEmpty() && of.stream().allMatch(Auditor::utility)) {
                String names = of.stream().map(Function::name).collect(Collectors.joining(", "));
                String example = callers.stream().map(c -> read.edgeExample().get(List.of(c, service))).filter(Objects::nonNull).findFirst().orElse(null);
                findings.add(new Audit.Finding(Audit.Kind.UTILITY_SERVICE, service, (names.equals(service) ? "" : names + ": ")
                        + "a technical utility in a process of its own, called from " + count(callers.size(), "service") + " ("
                        + String.join(", ", callers) + "), " + count(read.callsInto().getOrDefault(service, 0), "call") + " between processes in the"
                        + " traffic read", library(of), example == null ? List.of() : List.of(example)));
            }
            if (callers.size() == 1 && !read.entered().contains(service)) {
                String caller = callers.iterator().next();
                String example = read.edgeExample().get(List.of(caller, service));
                findings.add(new Audit.Finding(Audit.Kind.SINGLE_CALLER, service, "only '" + caller + "' calls it" + (example == null
                        ? " (in its code)" : "") + ", and no operation enters by it", "merge '" + service + "' into '" + caller + "'",
                        example == null ? List.of() : List.of(example)));
            }
        });
        duplicates(app, read.functions(), peers, findings);
        owners(app, read.functionsOf(), read.servicesOfOwner(), findings);
        List<String> ownerless = read.functions().stream().filter(f -> f.owner() == null).map(Function::name).sorted().toList();
        if (!ownerless.isEmpty()) {
            findings.add(new Audit.Finding(Audit.Kind.NO_OWNER, app, ownerless.size() + " of " + read.functions().size() + " functions name no owner: "
                    + String.join(", ", ownerless.subList(0, Math.min(10, ownerless.size()))) + (ownerless.size() > 10 ? ", …" : ""),
                    "set owner: on their services (or on each function) in nanolith.yaml", List.of()));
        }
        findings.sort(Comparator.comparing(Audit.Finding::kind));
        return findings;
    }

    /**
     * What the guidelines flag in an app before any traffic, from its placement, its owners and
     * the calls its code makes: too many services, cycles and utility services between them,
     * services several teams own and teams that own too many, and operations — from each function
     * no other one calls — whose calls reach too many services, or cross between processes too often.
     */
    public List<Audit.Finding> review(String app, List<Function> functions) {
        Map<String, Function> byName = new TreeMap<>();
        functions.forEach(f -> byName.put(f.name(), f));
        Map<String, Set<String>> callersOf = new TreeMap<>();
        Set<String> called = new TreeSet<>();
        for (Function f : functions) {
            for (String callee : f.calls()) {
                Function to = byName.get(callee);
                if (to != null) {
                    called.add(callee);
                    if (!to.service().equals(f.service()) && !to.library()) {
                        callersOf.computeIfAbsent(to.service(), s -> new TreeSet<>()).add(f.service());
                    }
                }
            }
        }
        List<Audit.Finding> findings = new ArrayList<>();
        cycles(callersOf, Map.of(), findings);
        Set<String> services = functions.stream().map(Function::service).collect(Collectors.toCollection(TreeSet::new));
        if (services.size() > guidelines.maxServices()) {
            findings.add(tooManyServices(app, services.size(), ": ./nanolith plan " + app + " proposes how, once it has served traffic"));
        }
        for (Function entry : functions) {
            if (called.contains(entry.name())) {
                continue;
            }
            // Every call its code can make, each edge once: the services it reaches and the calls that cross to another.
            Set<String> reached = new TreeSet<>();
            int hops = 0;
            Set<String> seen = new TreeSet<>(List.of(entry.name()));
            List<Function> next = new ArrayList<>(List.of(entry));
            while (!next.isEmpty()) {
                Function f = next.removeLast();
                for (String callee : f.calls()) {
                    Function to = byName.get(callee);
                    if (to == null || to.library()) {
                        continue;
                    }
                    if (!to.service().equals(f.service())) {
                        hops++;
                    }
                    if (!to.service().equals(entry.service())) {
                        reached.add(to.service());
                    }
                    if (seen.add(to.name())) {
                        next.add(to);
                    }
                }
            }
            if (reached.size() > guidelines.maxDependencies()) {
                findings.add(manyDependencies(entry.name(), "its code calls into", reached, List.of()));
            }
            if (hops > guidelines.maxRemoteHops()) {
                findings.add(new Audit.Finding(Audit.Kind.MANY_HOPS, entry.name(), "its code makes " + hops + " calls between processes (at most "
                        + guidelines.maxRemoteHops() + ")", "place the functions it calls with '" + entry.name() + "'", List.of()));
            }
        }
        Map<String, List<Function>> functionsOf = new TreeMap<>();
        functions.forEach(f -> functionsOf.computeIfAbsent(f.service(), s -> new ArrayList<>()).add(f));
        functionsOf.forEach((service, of) -> {
            Set<String> callers = callersOf.getOrDefault(service, Set.of());
            if (services.size() > 1 && !callers.isEmpty() && of.stream().allMatch(Auditor::utility)) {
                findings.add(new Audit.Finding(Audit.Kind.UTILITY_SERVICE, service, "a technical utility in a process of its own, called from "
                        + String.join(", ", callers), library(of), List.of()));
            }
        });
        owners(app, functionsOf, servicesOfOwner(functions), findings);
        findings.sort(Comparator.comparing(Audit.Finding::kind));
        return findings;
    }

    /** Services that several teams own ({@code functionsOf}: each service's functions), and teams that own too many. */
    private static void owners(String app, Map<String, List<Function>> functionsOf, Map<String, Set<String>> servicesOfOwner,
                               List<Audit.Finding> findings) {
        functionsOf.forEach((service, of) -> {
            Set<String> owners = of.stream().map(Function::owner).filter(Objects::nonNull).collect(Collectors.toCollection(TreeSet::new));
            if (owners.size() > 1) {
                findings.add(new Audit.Finding(Audit.Kind.SHARED_SERVICE, service, owners.size() + " teams own its functions: " + String.join(", ", owners),
                        "split it along its owners, or agree on one owner (./nanolith plan " + app + " --by-owner)", List.of()));
            }
        });
        servicesOfOwner.forEach((owner, services) -> {
            if (services.size() > SERVICES_A_TEAM) {
                findings.add(new Audit.Finding(Audit.Kind.SPREAD_TEAM, owner, "owns " + services.size() + " services: " + String.join(", ", services),
                        "merge them: one team runs at most two services well", List.of()));
            }
        });
    }

    /** Each owner's services, of those {@code functions} name. */
    private static Map<String, Set<String>> servicesOfOwner(List<Function> functions) {
        Map<String, Set<String>> servicesOfOwner = new TreeMap<>();
        functions.stream().filter(f -> f.owner() != null).forEach(f -> servicesOfOwner.computeIfAbsent(f.owner(), o -> new TreeSet<>()).add(f.service()));
        return servicesOfOwner;
    }

    /** An app of {@code services} services; {@code plan} ends the action: where the plan comes from. */
    private Audit.Finding tooManyServices(String app, int services, String plan) {
        return new Audit.Finding(Audit.Kind.TOO_MANY_SERVICES, app, services + " services, past the red flag of " + guidelines.maxServices() + " ("
                + guidelines.typicalServices() + " or fewer is typical)", "group functions that serve one business capability into one service"
                + plan, List.of());
    }

    /** An operation entered by {@code entry} that depends on {@code services}: {@code calls} says how they were found. */
    private Audit.Finding manyDependencies(String entry, String calls, Collection<String> services, List<String> traces) {
        return new Audit.Finding(Audit.Kind.MANY_DEPENDENCIES, entry, calls + " " + services.size() + " services besides its own: "
                + String.join(", ", services) + " (at most " + guidelines.maxDependencies() + ")", "place the services it depends on with '"
                + entry + "', or make them library functions", traces);
    }

    /** {@code n} things: {@code 1 call}, {@code 3 calls}. */
    private static String count(int n, String thing) {
        return n + " " + thing + (n == 1 ? "" : "s");
    }

    /** What to do with a utility service's functions {@code of}. */
    private static String library(List<Function> of) {
        return "make " + (of.size() == 1 ? "it a library function: library: true under functions." + of.getFirst().name()
                : "them library functions (library: true)") + " places a copy with each caller, behind no hop";
    }

    /** Whether a function is a technical utility: marked {@code library: true}, or named after a technical concern. */
    static boolean utility(Function f) {
        return f.library() || Arrays.stream(f.name().split("[.\\-_]")).anyMatch(word -> UTILITY.matcher(word.toLowerCase(Locale.ROOT)).matches());
    }

    /** Functions of other apps whose code is the same but for names and literals. */
    private static void duplicates(String app, List<Function> functions, List<Peer> peers, List<Audit.Finding> findings) {
        Map<Peer, Set<String>> theirShingles = new HashMap<>();
        for (Function f : functions) {
            if (f.code().length() / 2 < DUPLICATE_NODES) {
                continue;
            }
            Set<String> mine = shingles(f.code());
            for (Peer peer : peers) {
                if (peer.app().equals(app) || peer.code().length() / 2 < DUPLICATE_NODES) {
                    continue;
                }
                Set<String> theirs = theirShingles.computeIfAbsent(peer, p -> shingles(p.code()));
                Set<String> both = new HashSet<>(mine);
                both.retainAll(theirs);
                double similarity = both.size() / (double) (mine.size() + theirs.size() - both.size());
                if (similarity >= DUPLICATE) {
                    findings.add(new Audit.Finding(Audit.Kind.DUPLICATE, f.name() + " = " + peer.app() + "/" + peer.function(), String.format(Locale.ROOT,
                            "the same code but for names and literals (%.0f%% of %d syntax 4-grams alike); owners: %s and %s", 100 * similarity,
                            mine.size(), f.owner() == null ? "none" : f.owner(), peer.owner() == null ? "none" : peer.owner()),
                            "keep one: have " + app + " call '" + peer.function() + "' of " + peer.app() + " (or " + peer.app() + " call '" + f.name()
                                    + "'), or move the logic into a library both apps declare", List.of()));
                }
            }
        }
    }

    /** The 4-grams of a code's syntax-node kinds (two characters each), as a set. */
    private static Set<String> shingles(String code) {
        Set<String> grams = new HashSet<>();
        for (int i = 0; i + 8 <= code.length(); i += 2) {
            grams.add(code.substring(i, i + 8));
        }
        return grams;
    }

    /** The design review's checklist for one service, answered from what the audit found; {@code cost}: what its worker's CPU says. */
    private static List<Audit.Answer> checklist(Reading read, String service, List<Audit.Operation> operations, List<Audit.Finding> findings,
                                                String cost) {
        List<Function> of = read.functionsOf().get(service), all = read.functions();
        Map<String, Function> byName = read.byName();
        boolean entered = read.entered().contains(service);
        List<Audit.Answer> answers = new ArrayList<>();
        Set<String> domains = of.stream().map(f -> Planner.domain(f.name())).collect(Collectors.toCollection(TreeSet::new));
        List<String> split = domains.stream().filter(d -> all.stream().anyMatch(f -> Planner.domain(f.name()).equals(d) && !f.service().equals(service)))
                .toList();
        boolean utilities = of.stream().allMatch(Auditor::utility);
        answers.add(new Audit.Answer("complete business capability?", utilities || !split.isEmpty() ? "no" : "yes", utilities
                ? "its functions are technical utilities, not a capability" : split.isEmpty() ? "every function of " + String.join(", ", domains)
                + " is in it" : "functions of " + String.join(", ", split) + " run in other services too"));
        Set<String> owners = of.stream().map(Function::owner).filter(Objects::nonNull).collect(Collectors.toCollection(TreeSet::new));
        answers.add(new Audit.Answer("one team?", owners.isEmpty() ? "unknown" : owners.size() == 1 ? "yes" : "no",
                owners.isEmpty() ? "no function of it names an owner" : "owned by " + String.join(", ", owners)));
        answers.add(new Audit.Answer("stable boundaries?", "unknown", "the audit reads one revision; ./nanolith revisions shows how its placement changed"));
        boolean independent = of.stream().allMatch(Function::independent);
        answers.add(new Audit.Answer("scales independently?", independent ? "yes" : "unknown", independent
                ? "its config marks it scale: independent" : "no scale: independent is set for it, and its load was not compared with its callers'"));
        answers.add(new Audit.Answer("better as a library?", utilities ? "yes" : "no", utilities ? "its functions are technical utilities"
                : "it holds business logic"));
        List<Audit.Operation> its = operations.stream().filter(op -> byName.containsKey(op.entry()) && byName.get(op.entry()).service().equals(service)).toList();
        int most = its.stream().mapToInt(op -> op.dependencies().size()).max().orElse(-1);
        answers.add(new Audit.Answer("fewer than 3 dependencies per operation?", most < 0 ? "unknown" : most < 3 ? "yes" : "no",
                most < 0
                ? "no operation enters by it in the traffic read" : "its operations depend on at most " + most + " other services"));
        Set<String> callers = read.callersOf().getOrDefault(service, Set.of());
        answers.add(new Audit.Answer("several callers?", entered || callers.size() > 1 ? "yes" : callers.size() == 1 ? "no" : "unknown",
                !callers.isEmpty() ? "called by " + String.join(", ", callers) + (entered ? ", and from the gateway" : "")
                        : entered ? "operations enter by it from the gateway" : "no service was seen calling it"));
        boolean flagged = findings.stream().anyMatch(f -> f.subject().equals(service)
                && (f.kind() == Audit.Kind.SINGLE_CALLER || f.kind() == Audit.Kind.UTILITY_SERVICE));
        answers.add(new Audit.Answer("operational burden justified?", flagged ? "no" : "unknown", (flagged
                ? "a process of its own for a single caller or a utility" : "nothing found against it; only its team can weigh it") + cost));
        Set<String> load = owners.stream().flatMap(o -> read.servicesOfOwner().getOrDefault(o, Set.of()).stream()).collect(Collectors.toSet());
        answers.add(new Audit.Answer("team capacity?", owners.isEmpty() ? "unknown" : load.size() <= SERVICES_A_TEAM ? "yes" : "no", owners.isEmpty()
                ? "no owner named" : String.join(", ", owners) + " run" + (owners.size() == 1 ? "s " : " ") + load.size()
                + (load.size() == 1 ? " service" : " services")));
        boolean shared = utilities && callers.size() > 1;
        answers.add(new Audit.Answer("no shared infrastructure service?", shared ? "no" : "yes", shared
                ? "a utility that " + callers.size() + " services share over the network" : "it is no utility shared over the network"));
        return answers;
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
                    "merge them, or move the function that calls back into the service it calls",
                    traces.stream().filter(Objects::nonNull).distinct().toList()));
        }
    }

    private static int median(List<Trace> traces, ToIntFunction<Trace> figure) {
        return (int) Trace.median(traces.stream().map(t -> (long) figure.applyAsInt(t)).toList());
    }
}
