package dev.nanolith.runtime;

import dev.nanolith.Nano;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Which interface a function class implements: how it is called, and whether it has an input
 * and an output. A function without input reads its input as {@link Void}; one without output
 * returns {@link Void}, which the gateway answers with {@code 204 No Content}.
 */
public enum Shape {
    NANO(Nano.class, true, true),
    FUNCTION(Function.class, true, true),
    SUPPLIER(Supplier.class, false, true),
    CONSUMER(Consumer.class, true, false);

    private final Class<?> type;
    private final boolean hasInput;
    private final boolean hasOutput;

    Shape(Class<?> type, boolean hasInput, boolean hasOutput) {
        this.type = type;
        this.hasInput = hasInput;
        this.hasOutput = hasOutput;
    }

    /** The interface, such as {@code java.util.function.Supplier}. */
    public Class<?> type() {
        return type;
    }

    /** Whether calls carry an input: false for a supplier. */
    public boolean hasInput() {
        return hasInput;
    }

    /** Whether calls return an output: false for a consumer. */
    public boolean hasOutput() {
        return hasOutput;
    }

    /** Every shape {@code type} implements; more than one makes it no function. */
    public static List<Shape> of(Class<?> type) {
        return Arrays.stream(values()).filter(shape -> shape.type.isAssignableFrom(type)).toList();
    }
}
