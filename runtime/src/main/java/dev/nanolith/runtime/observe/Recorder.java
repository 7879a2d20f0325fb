package dev.nanolith.runtime.observe;

import dev.nanolith.BadInputException;
import dev.nanolith.DeadlineExceededException;
import dev.nanolith.FunctionFailedException;
import dev.nanolith.NoSuchFunctionException;
import dev.nanolith.RefusedException;
import dev.nanolith.ServiceUnavailableException;
import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.Invoker;
import dev.nanolith.runtime.MalformedJsonException;
import dev.nanolith.runtime.Stage;
import dev.nanolith.runtime.resilience.Guard;
import dev.nanolith.runtime.security.Callers;
import java.util.function.Predicate;

/**
 * Records every call of the functions that run in this process as an activation, as its caller
 * saw it end (after retries and fallbacks, which its error handler made): when it ended,
 * the call is handed to {@link Activations}, which makes the record off the call's thread. A call
 * of a function in another process is recorded there, unless it never got there: its caller was
 * denied here ({@code callers:}), or that process was down.
 */
public final class Recorder implements Stage {

    private final Activations activations;
    private final Predicate<FunctionSpec> local;

    /** @param local which functions run in this process */
    public Recorder(Activations activations, Predicate<FunctionSpec> local) {
        this.activations = activations;
        this.local = local;
    }

    @Override
    public Invoker wrap(FunctionSpec function, Invoker next) {
        if (!local.test(function)) {
            // Its own process records its calls; this one those that never left: denied here, or its process down.
            return (input, call) -> {
                try {
                    return next.invoke(input, call);
                } catch (RuntimeException e) {
                    if (neverLeft(e, function)) {
                        call.note(ended(e));
                        call.ended(System.nanoTime() - call.started(), status(e));
                        activations.add(call);
                    }
                    throw e;
                }
            };
        }
        return (input, call) -> {
            Activation.Status status = Activation.Status.SUCCESS;
            try {
                return next.invoke(input, call);
            } catch (RuntimeException | Error e) {
                status = status(e);
                call.note(ended(e));
                throw e;
            } finally {
                call.ended(System.nanoTime() - call.started(), status);
                // A call from another process is kept by its WireServer, once its answer is made, with its bytes.
                if (!call.carried()) {
                    activations.add(call);
                }
            }
        };
    }

    /**
     * Whether a call of {@code function}, in another process, failed before it reached that process:
     * denied by its caller rules or refused by its breaker here, or that process down.
     */
    private static boolean neverLeft(RuntimeException failure, FunctionSpec function) {
        return switch (failure) {
            case RefusedException refused -> refused.code().equals(Callers.NOT_ALLOWED) || refused.code().equals(Guard.CIRCUIT_OPEN);
            case ServiceUnavailableException down -> !down.delivered() && down.service().equals(function.service());
            default -> false;
        };
    }

    /** The line a failed call's record ends with: what it threw, as its caller sees it, and why, where this process knows. */
    private static String ended(Throwable failure) {
        String how = failure instanceof RefusedException refused ? "refused " + refused.status() + " " + refused.code()
                : failure.getClass().getName();
        Throwable cause = failure.getCause();
        return "ended: " + how + (failure.getMessage() == null ? "" : ": " + failure.getMessage())
                + (failure instanceof FunctionFailedException && cause != null ? " — " + cause : "");
    }

    /** How a call that threw {@code failure} ended. */
    static Activation.Status status(Throwable failure) {
        return switch (failure) {
            case RefusedException refused when refused.code().equals(Callers.NOT_ALLOWED) -> Activation.Status.DENIED;
            case RefusedException refused -> Activation.Status.REFUSED;
            case BadInputException bad -> Activation.Status.REFUSED;
            case MalformedJsonException malformed -> Activation.Status.REFUSED;
            case DeadlineExceededException late -> Activation.Status.TIMEOUT;
            case ServiceUnavailableException down -> Activation.Status.PLATFORM_ERROR;
            case NoSuchFunctionException none -> Activation.Status.PLATFORM_ERROR;
            case VirtualMachineError broken -> Activation.Status.PLATFORM_ERROR;
            default -> Activation.Status.FUNCTION_ERROR;
        };
    }
}
