package dev.nanolith.runtime;

/**
 * One step of the invocation pipeline (deadlines, metrics, and later security and resilience),
 * wrapped around a function's invoker once, when its revision loads, so that a call pays
 * only for the steps themselves.
 */
@FunctionalInterface
public interface Stage {

    /** The invoker that runs this step for {@code function}, then {@code next}. */
    Invoker wrap(FunctionSpec function, Invoker next);
}
