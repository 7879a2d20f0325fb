package dev.nanolith.runtime.security;

import dev.nanolith.RefusedException;
import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.Invoker;
import dev.nanolith.runtime.Stage;
import dev.nanolith.runtime.placement.Placement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The stage that enforces {@code callers:}: a function that lists its callers may be called by
 * those functions only, whether they run in this process or another (the entry of an operation,
 * which comes through the gateway, is its {@link Access}'s concern). A function that lists none
 * costs nothing: its invoker is not wrapped; one that does matches a caller's name against its
 * globs once, and then finds it in a set of the callers it let through.
 */
public final class Callers implements Stage {

    private static final System.Logger LOG = System.getLogger(Callers.class.getName());

    /** The code of the refusal of a caller that {@code callers:} does not name. */
    public static final String NOT_ALLOWED = "caller-not-allowed";

    @Override
    public Invoker wrap(FunctionSpec function, Invoker next) {
        if (function.callers().isEmpty()) {
            return next;
        }
        List<Pattern> allowed = function.callers().stream().map(Placement::glob).toList();
        // Only names that matched are kept: the callers the rules let through, not every name tried.
        Set<String> admitted = ConcurrentHashMap.newKeySet();
        return (input, call) -> {
            String from = call.from();
            if (from != null && !admitted.contains(from)) {
                if (allowed.stream().anyMatch(glob -> glob.matcher(from).matches())) {
                    admitted.add(from);
                    return next.invoke(input, call);
                }
                LOG.log(System.Logger.Level.INFO, "refused a call of '" + function.name() + "' from '" + from + "' for '" + call.principal()
                        + "': " + NOT_ALLOWED);
                throw RefusedException.withStatus(403, NOT_ALLOWED, "'" + from + "' may not call '" + function.name()
                        + "' — its callers are " + function.callers());
            }
            return next.invoke(input, call);
        };
    }
}
