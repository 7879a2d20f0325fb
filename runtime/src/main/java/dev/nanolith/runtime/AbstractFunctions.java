package dev.nanolith.runtime;

import dev.nanolith.Functions;
import dev.nanolith.Nano;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/** The four calls by class of {@link Functions}, which differ in their types only: one call does them all. */
abstract class AbstractFunctions implements Functions {

    /** Calls the function implemented by {@code function} with {@code input} (null for a supplier). */
    abstract Object byClass(Class<?> function, Object input);

    @Override
    @SuppressWarnings("unchecked")
    public final <I, O> O call(Class<? extends Nano<I, O>> function, I input) {
        return (O) byClass(function, input);
    }

    @Override
    @SuppressWarnings("unchecked")
    public final <I, O> O apply(Class<? extends Function<I, O>> function, I input) {
        return (O) byClass(function, input);
    }

    @Override
    @SuppressWarnings("unchecked")
    public final <O> O get(Class<? extends Supplier<O>> function) {
        return (O) byClass(function, null);
    }

    @Override
    public final <I> void accept(Class<? extends Consumer<I>> function, I input) {
        byClass(function, input);
    }
}
