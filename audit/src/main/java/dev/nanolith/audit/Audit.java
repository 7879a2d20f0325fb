package dev.nanolith.audit;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;

/**
 * The granularity audit of one revision of an app, as its measured traffic shows it: its services,
 * its operations (an entry function and every call it causes), and what is wrong with them, each
 * finding with its evidence and one action.
 *
 * @param app        the app
 * @param revision   the revision audited
 * @param traces     how many operations' traces were read
 * @param services   every service of its placement, with its functions
 * @param operations every operation seen, the most frequent first
 * @param findings   what the guidelines flag, the most serious first
 * @param cpu        the CPU its workers, the control plane and the host used over the traffic read; null when not measured
 */
public record Audit(String app, String revision, int traces, List<Service> services, List<Operation> operations, List<Finding> findings,
                    Usage cpu) {

    public Audit {
        services = List.copyOf(services);
        operations = List.copyOf(operations);
        findings = List.copyOf(findings);
    }

    /**
     * A service of the placement: a process of its own.
     *
     * @param callers   the other services whose functions call its functions, in the traffic read or in their code
     * @param owners    the teams that own its functions ({@code owner:})
     * @param calls     the calls its process took in the traffic read, its copies of library functions' included
     * @param cores     the CPU its worker used over the traffic read, in cores; null when not measured
     * @param checklist the design review's questions, answered for it from the same evidence
     */
    public record Service(String name, List<String> functions, List<String> callers, List<String> owners, int calls, Double cores,
                          List<Answer> checklist) {

        public Service {
            functions = List.copyOf(functions);
            callers = List.copyOf(callers);
            owners = List.copyOf(owners);
            checklist = List.copyOf(checklist);
        }
    }

    /**
     * One question of the design review's checklist, answered for one service.
     *
     * @param question the question, such as {@code one team?}
     * @param answer   {@code yes}, {@code no} or {@code unknown}: yes is what a right-sized service answers
     * @param evidence what the answer rests on
     */
    public record Answer(String question, String answer, String evidence) {
    }

    /**
     * One operation, over the traces of it that were read: the median of each figure.
     *
     * @param entry        the function the operation enters by
     * @param traces       how many of its traces were read
     * @param failed       how many of them failed (their entry did not succeed); the other figures are of those that
     *                     succeeded, when any did
     * @param calls        calls of functions per operation
     * @param remoteHops   calls from one service to another per operation, the gateway's to the entry not counted
     * @param depth        the longest chain of calls, the entry counted
     * @param fanOut       the most calls one call made
     * @param millis       how long it took, in ms
     * @param predicted    what the plan that placed this revision predicted it would take, in ms; null when no plan placed it
     * @param between      the share of that spent between processes, 0 to 1: what callers waited on calls into other
     *                     processes less what those calls took where they ran — measured, not assumed
     * @param dependencies the services other than the entry's that it calls, in all its traces
     * @param example      a trace of it, to look at
     */
    public record Operation(String entry, int traces, int failed, int calls, int remoteHops, int depth, int fanOut, double millis, Double predicted, double between,
                            List<String> dependencies, String example) {

        public Operation {
            dependencies = List.copyOf(dependencies);
        }
    }

    /**
     * What a guideline flags.
     *
     * @param kind     which guideline
     * @param subject  the service or operation it is about
     * @param evidence the numbers and calls that show it
     * @param action   the one change that would answer it
     * @param traces   traces that show it
     */
    public record Finding(Kind kind, String subject, String evidence, String action, List<String> traces) {

        public Finding {
            traces = List.copyOf(traces);
        }
    }

    /** The guidelines, from the most serious; named in JSON as {@code single-caller}, … */
    public enum Kind {
        /** Services that call each other in a circle: none can be deployed, or fail, alone. */
        CYCLE,
        /** More services than the guidelines' red flag. */
        TOO_MANY_SERVICES,
        /** An operation that depends on more services than the guidelines allow. */
        MANY_DEPENDENCIES,
        /** An operation that crosses between processes more often than the guidelines allow. */
        MANY_HOPS,
        /** A technical utility (validation, logging, caching, formatting, config, notification) in a process of its own. */
        UTILITY_SERVICE,
        /** A service that only one other service calls: the two belong together. */
        SINGLE_CALLER,
        /** The same logic under another name, in another app. */
        DUPLICATE,
        /** A team that owns more than two services. */
        SPREAD_TEAM,
        /** A service whose functions several teams own. */
        SHARED_SERVICE,
        /** Functions that name no owner. */
        NO_OWNER;

        private final String word = name().toLowerCase(Locale.ROOT).replace('_', '-');

        /** The kind as the API names it. */
        @JsonValue
        public String word() {
            return word;
        }
    }
}
