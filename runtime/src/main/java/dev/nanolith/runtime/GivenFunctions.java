package dev.nanolith.runtime;

import dev.nanolith.Functions;

/**
 * The {@link Functions} a function class takes in its constructor. Unlike a {@code Ctx}, it is
 * made once, with the function object, and so has no call of its own: each call it makes goes out
 * as a nested call of the call its function is serving on the calling thread — that call's
 * deadline, trace and principal — which {@link #serving} makes known while the function runs.
 */
public final class GivenFunctions extends AbstractFunctions {

    private final ThreadLocal<Call> serving = new ThreadLocal<>();
    private final String function;

    /** @param function the name of the function that takes it */
    public GivenFunctions(String function) {
        this.function = function;
    }

    /** The function's invoker, around which each call is the one this object calls on behalf of. */
    public Invoker serving(Invoker function) {
        return (input, call) -> {
            Call outer = serving.get();
            serving.set(call);
            try {
                return function.invoke(input, call);
            } finally {
                serving.set(outer);
            }
        };
    }

    @Override
    Object byClass(Class<?> callee, Object input) {
        return current().byClass(callee, input);
    }

    @Override
    public <O> O call(String callee, Object input, Class<O> output) {
        return current().call(callee, input, output);
    }

    private Call current() {
        Call call = serving.get();
        if (call == null) {
            throw new IllegalStateException("'" + function + "' called another function outside one of its own calls — call from its"
                    + " apply, get or accept method, on the thread that runs it (a thread it starts has no call to belong to)");
        }
        return call;
    }
}
