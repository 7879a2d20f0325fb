package dev.nanolith.runtime.dispatch;

import dev.nanolith.DeadlineExceededException;
import dev.nanolith.FunctionFailedException;
import dev.nanolith.Functions;
import dev.nanolith.Nano;
import dev.nanolith.NanoException;
import dev.nanolith.RefusedException;
import dev.nanolith.ServiceUnavailableException;
import dev.nanolith.runtime.Call;
import dev.nanolith.runtime.Dispatcher;
import dev.nanolith.runtime.ErrorIds;
import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.GivenFunctions;
import dev.nanolith.runtime.Invoker;
import dev.nanolith.runtime.Shape;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.load.Problem;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs functions in this process, on the caller's own thread, passing objects as they are.
 * A failure is logged once, where it happens, under an error id the callers pass on.
 */
public final class LocalDispatcher implements Dispatcher {

    @Override
    public Invoker invoker(FunctionSpec function) throws LoadException {
        Constructor<?> constructor = constructor(function.implementation());
        System.Logger log = System.getLogger("fn." + function.name());
        if (constructor.getParameterCount() == 0) {
            Object target = instantiate(function, constructor);
            return new Local(target, call(function, target, log));
        }
        GivenFunctions functions = new GivenFunctions(function.name());
        Object target = instantiate(function, constructor, functions);
        return new Local(target, functions.serving(call(function, target, log)));
    }

    /** The function's object and how to call it; closing it closes the function, if it is closeable. */
    private record Local(Object target, Invoker call) implements Invoker, AutoCloseable {
        @Override
        public Object invoke(Object input, Call call) {
            return this.call.invoke(input, call);
        }

        @Override
        public void close() throws Exception {
            if (target instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    /** A plain Java function's method, which may throw only what a call lets through. */
    @FunctionalInterface
    private interface Body {
        Object run(Object input) throws Exception;
    }

    @SuppressWarnings("unchecked")
    private static Invoker call(FunctionSpec function, Object target, System.Logger log) {
        if (function.shape() == Shape.NANO) {
            Nano<Object, Object> fn = (Nano<Object, Object>) target;
            return (input, call) -> {
                try {
                    return fn.apply(input, call);
                } catch (FunctionFailedException | DeadlineExceededException | ServiceUnavailableException | RefusedException e) {
                    throw e;
                } catch (Exception | LinkageError | StackOverflowError e) {
                    throw failed(function, call, log, e);
                }
            };
        }
        Body body = switch (function.shape()) {
            case FUNCTION -> ((Function<Object, Object>) target)::apply;
            case SUPPLIER -> input -> ((Supplier<Object>) target).get();
            case CONSUMER -> input -> {
                ((Consumer<Object>) target).accept(input);
                return null;
            };
            case NANO -> throw new AssertionError("handled above");
        };
        return (input, call) -> {
            try {
                return body.run(input);
            } catch (FunctionFailedException | DeadlineExceededException | ServiceUnavailableException | RefusedException e) {
                throw e;
            } catch (Exception | LinkageError | StackOverflowError e) {
                throw failed(function, call, log, e);
            }
        };
    }

    /**
     * The exception a failure becomes. A failure after the call's deadline is the deadline's
     * doing (an interrupted wait, a client timeout set from {@code ctx.remaining()}), so it is
     * reported as such and not logged as the function's fault.
     */
    private static NanoException failed(FunctionSpec function, Call call, System.Logger log, Throwable cause) {
        if (System.nanoTime() - call.deadline() >= 0) {
            return new DeadlineExceededException(function.name(), function.timeout());
        }
        String id = ErrorIds.next();
        log.log(System.Logger.Level.ERROR, "'" + function.name() + "' failed, error id " + id + ", trace " + call.trace(), cause);
        return new FunctionFailedException(function.name(), id, cause);
    }

    /**
     * Its public constructor that takes a {@link Functions}, or else the one that takes nothing;
     * the loader refused every function class with neither.
     */
    private static Constructor<?> constructor(Class<?> type) {
        try {
            return type.getConstructor(Functions.class);
        } catch (NoSuchMethodException e) {
            try {
                return type.getConstructor();
            } catch (NoSuchMethodException none) {
                throw new IllegalStateException(type.getName() + " was loaded as a function without a usable constructor", none);
            }
        }
    }

    private static Object instantiate(FunctionSpec function, Constructor<?> constructor, Object... arguments) throws LoadException {
        try {
            return constructor.newInstance(arguments);
        } catch (IllegalAccessException e) {
            throw new LoadException(Problem.of(function.source(), "'" + function.name() + "' needs a public constructor"));
        } catch (InvocationTargetException | ExceptionInInitializerError e) {
            Throwable cause = e instanceof InvocationTargetException i ? i.getCause() : e.getCause();
            throw new LoadException(Problem.of(function.source(), "'" + function.name() + "' failed to start: " + cause));
        } catch (InstantiationException e) {
            throw new LoadException(Problem.of(function.source(), "'" + function.name() + "' cannot be instantiated: " + e.getMessage()));
        }
    }
}
