package dev.nanolith.runtime;

import dev.nanolith.runtime.load.LoadException;

/**
 * The last step of the pipeline: where a function actually runs. Local dispatch calls the
 * function object in this process; a remote one will carry the call to the function's service.
 */
@FunctionalInterface
public interface Dispatcher {

    /**
     * Prepares the function for calls (instantiating it, connecting to it) and returns its
     * invoker; an invoker that is {@link AutoCloseable} is closed when its revision retires.
     */
    Invoker invoker(FunctionSpec function) throws LoadException;
}
