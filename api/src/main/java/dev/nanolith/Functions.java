package dev.nanolith;

/**
 * Calls the functions of an app, wherever they run. A function gets one as its {@link Ctx};
 * an app's tests get one as a test method parameter.
 */
public interface Functions {

    /**
     * Calls a function of this app by its class, type-safe.
     *
     * @throws NanoException      when the callee fails, is unknown or its deadline passes
     * @throws RefusedException   when the callee refuses the call
     */
    <I, O> O call(Class<? extends Nano<I, O>> function, I input);

    /**
     * Calls a function of this app by name; the input and output are converted as JSON would
     * be when they are not of the callee's own types.
     *
     * @throws NanoException      when the callee fails, is unknown or its deadline passes
     * @throws RefusedException   when the callee refuses the call
     */
    <O> O call(String function, Object input, Class<O> output);
}
