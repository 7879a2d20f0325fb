package dev.nanolith.runtime;

/** Runs one call of one function: the composed pipeline, or one stage of it. */
@FunctionalInterface
public interface Invoker {

    /** Runs the call; failures are {@link dev.nanolith.NanoException}s. */
    Object invoke(Object input, Call call);
}
