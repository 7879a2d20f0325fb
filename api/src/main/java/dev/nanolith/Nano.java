package dev.nanolith;

/**
 * A nanoservice: one small function from an input to an output, deployed on its own.
 *
 * <p>Inputs and outputs are records or any other type Jackson can map to JSON. A plain
 * {@link java.util.function.Function} class deploys too; implement {@code Nano} when the
 * function needs its {@link Ctx}: to call other functions, to know its caller, to read its
 * config and secrets, to log.
 *
 * @param <I> the input type
 * @param <O> the output type
 */
@FunctionalInterface
public interface Nano<I, O> {

    /** Computes the output for one call; an exception fails this call only. */
    O apply(I input, Ctx ctx) throws Exception;
}
