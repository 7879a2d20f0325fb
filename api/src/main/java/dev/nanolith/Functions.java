package dev.nanolith;

import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Calls the functions of an app, wherever they run. A function gets one as its {@link Ctx}, or in
 * its constructor; an app's tests get one as a test method parameter.
 *
 * <p>A call by class is type-safe, and its method is named after what the callee implements, so
 * that the call reads like the callee's own method: {@link #call} for a {@link Nano},
 * {@link #apply} for a {@link Function}, {@link #get} for a {@link Supplier}, {@link #accept} for
 * a {@link Consumer}. (Java cannot overload one name on these class parameters, which erase to
 * the same {@code Class}.) Every form means the same: the callee runs in this process or in
 * another, within the caller's deadline, and fails with the same exceptions.
 *
 * @see <a href="https://docs.spring.io/spring-cloud-function/reference/spring-cloud-function/programming-model.html">Spring
 *      Cloud Function's catalog, which looks functions up by these same four shapes</a>
 */
public interface Functions {

    /**
     * Calls a {@link Nano} of this app.
     *
     * @throws NanoException      when the callee fails, is unknown or its deadline passes
     * @throws RefusedException   when the callee refuses the call
     */
    <I, O> O call(Class<? extends Nano<I, O>> function, I input);

    /**
     * Calls a {@link Function} of this app, as {@link #call} calls a {@code Nano}.
     *
     * @throws NanoException      when the callee fails, is unknown or its deadline passes
     * @throws RefusedException   when the callee refuses the call
     */
    <I, O> O apply(Class<? extends Function<I, O>> function, I input);

    /**
     * Calls a {@link Supplier} of this app: a function without input.
     *
     * @throws NanoException      when the callee fails, is unknown or its deadline passes
     * @throws RefusedException   when the callee refuses the call
     */
    <O> O get(Class<? extends Supplier<O>> function);

    /**
     * Calls a {@link Consumer} of this app: a function without output. Returns when the callee has
     * returned.
     *
     * @throws NanoException      when the callee fails, is unknown or its deadline passes
     * @throws RefusedException   when the callee refuses the call
     */
    <I> void accept(Class<? extends Consumer<I>> function, I input);

    /**
     * Calls a function of this app by name; the input and output are converted as JSON would
     * be when they are not of the callee's own types. For a function without output, ask for
     * {@code Void.class}.
     *
     * @throws NanoException      when the callee fails, is unknown or its deadline passes
     * @throws RefusedException   when the callee refuses the call
     */
    <O> O call(String function, Object input, Class<O> output);
}
