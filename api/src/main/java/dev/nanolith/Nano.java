package dev.nanolith;

/**
 * A nanoservice: one small function from an input to an output, deployed on its own.
 *
 * <p>Inputs and outputs are records or any other type Jackson can map to JSON. Plain
 * {@link java.util.function.Function}, {@link java.util.function.Supplier} (no input) and
 * {@link java.util.function.Consumer} (no output) classes deploy too, and may take a
 * {@link Functions} in their constructor to call other functions; implement {@code Nano} when the
 * function needs its {@link Ctx}: to know its caller, to read its config and secrets, to log.
 *
 * <p>A function class is public, concrete, names its type arguments, and has a public
 * constructor that takes nothing or one {@link Functions}; a public class that implements one of
 * these interfaces and breaks a rule fails the deploy, with the reason.
 *
 * @param <I> the input type
 * @param <O> the output type
 */
@FunctionalInterface
public interface Nano<I, O> {

    /** Computes the output for one call; an exception fails this call only. */
    O apply(I input, Ctx ctx) throws Exception;
}
