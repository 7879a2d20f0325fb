package dev.nanolith.audit;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.nanolith.runtime.config.ServiceConfig;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A proposed placement of an app's functions, made from its measured traffic: the steps that
 * lead to it from the placement that serves, the biggest expected gain first, so that a team can
 * take them one at a time; what each operation is predicted to take after them; and the
 * {@code callers:} rules the same traffic suggests.
 *
 * @param app        the app
 * @param revision   the revision whose traffic it was made from
 * @param model      how the cost of a call between processes was measured
 * @param before     the service of each function now
 * @param steps      the steps, in the order to take them
 * @param operations per operation, its figures now and predicted after every step
 * @param callers    per function, the functions seen calling it: a {@code callers:} rule that allows what happens and no more
 */
public record Plan(String app, String revision, Model model, Map<String, String> before, List<Step> steps, List<Prediction> operations,
                   Map<String, List<String>> callers) {

    /** The share of the host's cores in use past which it counts as busy. */
    static final double BUSY = 0.9;

    public Plan {
        before = Collections.unmodifiableMap(new TreeMap<>(before));
        steps = List.copyOf(steps);
        operations = List.copyOf(operations);
        callers = Collections.unmodifiableMap(new TreeMap<>(callers));
    }

    /** The service of each function once every step is taken. */
    @JsonProperty("placement")
    public Map<String, String> placement() {
        return after(steps.size());
    }

    /**
     * The service of each function after the first {@code n} steps, named as {@code services:}
     * takes names: a service the steps leave as it is keeps its name, dashed where it was a
     * function's ({@code payments.charge} placed alone becomes {@code payments-charge}), as the
     * plan's branch writes it.
     *
     * @throws IllegalArgumentException when {@code n} is negative or past the last step
     */
    public Map<String, String> after(int n) {
        if (n < 0 || n > steps.size()) {
            throw new IllegalArgumentException("steps must be 0 to " + steps.size() + ", not " + n);
        }
        Map<String, String> placed = new TreeMap<>(before);
        placed.replaceAll((function, service) -> ServiceConfig.nameFor(service));
        steps.subList(0, n).forEach(step -> step.functions().forEach(f -> placed.put(f, step.into())));
        return placed;
    }

    /**
     * How the cost of one call between processes was measured: a least-squares fit, over the
     * traces read, of the time each spent between processes against its calls between processes
     * and the bytes they carried.
     *
     * @param traces       how many traces the fit read
     * @param hopMicros    what one call between processes costs, in µs, beyond the callee's own time
     * @param nanosPerByte what each byte it carries adds, in ns
     * @param cpu          the CPU the traffic read took; null when not measured
     */
    public record Model(int traces, double hopMicros, double nanosPerByte, Usage cpu) {

        /** The model in words: what the CLI prints. */
        @JsonProperty("description")
        public String describe() {
            String model = String.format(Locale.ROOT, "a call between processes costs %.0f µs%s (fitted to %d traces, on this host as loaded);"
                    + " a call within one costs nothing; an operation is predicted to take its measured time less what its calls made local"
                    + " spent between processes", hopMicros, nanosPerByte > 0 ? String.format(Locale.ROOT, " + %.2f ns a byte", nanosPerByte) : "",
                    traces);
            // Only when the app's own workers made the host busy: consolidating them frees nothing of another's load.
            if (cpu != null && cpu.coverage() >= 0.5 && cpu.host() >= BUSY * cpu.cores() && cpu.workers() >= cpu.host() / 2) {
                model += String.format(Locale.ROOT, ". The host was busy (%.2f of %d cores, %.2f of them the app's %d workers):"
                        + " the model leaves out the CPU that fewer processes free, so operations will likely take less than predicted",
                        cpu.host(), cpu.cores(), cpu.workers(), cpu.services().size());
            }
            return model;
        }
    }

    /**
     * One step: the functions named go to the service {@code into}.
     *
     * @param kind        what it does
     * @param into        the service they go to
     * @param functions   every function of {@code into} after the step
     * @param savedMicros what it is expected to save, in µs per operation over the traffic read
     * @param why         the evidence: the calls it makes local
     */
    public record Step(Kind kind, String into, List<String> functions, double savedMicros, String why) {

        public Step {
            functions = List.copyOf(functions);
        }
    }

    /** What a step does; named in JSON as {@code merge}, {@code move}. */
    public enum Kind {
        /** Two services that call each other become one. */
        MERGE,
        /** A function no traffic reached goes to the service of the functions named like it: one service fewer to run. */
        MOVE;

        @JsonValue
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One operation now and as predicted: medians over its traces.
     *
     * @param entry           the function it enters by
     * @param traces          how many of its traces were read
     * @param millis          how long it takes now, in ms
     * @param hops            its calls between processes now
     * @param predictedMillis how long it is predicted to take after every step, in ms
     * @param predictedHops   its calls between processes after every step
     */
    public record Prediction(String entry, int traces, double millis, int hops, double predictedMillis, int predictedHops) {
    }
}
