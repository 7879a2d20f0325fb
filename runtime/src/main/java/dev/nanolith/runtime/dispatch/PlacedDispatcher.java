package dev.nanolith.runtime.dispatch;

import dev.nanolith.runtime.Call;
import dev.nanolith.runtime.Dispatcher;
import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.Invoker;
import dev.nanolith.runtime.load.LoadException;
import java.util.function.Predicate;

/**
 * Runs each function where its placement puts it: in this worker when it belongs to this
 * worker's service, otherwise in its service's worker, over {@link Wire} on loopback. The
 * caller's identity, remaining time and trace travel with the call; the callee's answer comes
 * back as the same value or the same exception a local call would give.
 */
public final class PlacedDispatcher implements Dispatcher {

    private final Predicate<FunctionSpec> local;
    private final Dispatcher here;
    private final WireClient wire;

    /**
     * @param local which functions run in this process
     * @param here  how they run here
     * @param wire  how the others are reached
     */
    public PlacedDispatcher(Predicate<FunctionSpec> local, Dispatcher here, WireClient wire) {
        this.local = local;
        this.here = here;
        this.wire = wire;
    }

    @Override
    public Invoker invoker(FunctionSpec function) throws LoadException {
        return local.test(function) ? here.invoker(function) : (input, call) -> remote(function, input, call);
    }

    /** Calls {@code function} in its service's process; the caller's call counts what it waited, its input's and output's JSON included. */
    private Object remote(FunctionSpec function, Object input, Call call) {
        long start = System.nanoTime();
        try {
            Wire.Request request = new Wire.Request(Wire.CALL, function.name(), call.principal(), call.from(),
                    WireClient.remaining(function.timeout(), call.deadline()), call.trace(), call.route().writeInput(input));
            byte[] output = wire.call(call.route().revision().endpoints().get(function.service()),
                    Identities.of(call.route().revision().app(), function.service()), request, function.service(),
                    function.timeout(), call.deadline(), call::transferred);
            return call.route().readOutput(output);
        } finally {
            if (call.parent() != null) {
                call.parent().waitedRemote(System.nanoTime() - start);
            }
        }
    }
}
