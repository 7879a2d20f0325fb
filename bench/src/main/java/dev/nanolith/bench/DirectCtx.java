package dev.nanolith.bench;

import dev.nanolith.Caller;
import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.lang.System.Logger;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The baseline's context: a call to the one function it knows is a plain Java call of its
 * instance, with nothing around it. Everything else a function could ask for is left out.
 */
final class DirectCtx implements Ctx {

    /** Plain Java calls the payment processor with the JDK's client, as the platform's does. */
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Class<?> callee;
    private final Nano<Object, Object> target;

    DirectCtx(Class<?> callee, Nano<Object, Object> target) {
        this.callee = callee;
        this.target = target;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <I, O> O call(Class<? extends Nano<I, O>> function, I input) {
        if (function != callee) {
            throw new UnsupportedOperationException("the baseline calls " + callee.getName() + " only, not " + function.getName());
        }
        try {
            return (O) target.apply(input, this);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public <I, O> O apply(Class<? extends Function<I, O>> function, I input) {
        throw new UnsupportedOperationException("the baseline calls a Nano only");
    }

    @Override
    public <O> O get(Class<? extends Supplier<O>> function) {
        throw new UnsupportedOperationException("the baseline calls a Nano only");
    }

    @Override
    public <I> void accept(Class<? extends Consumer<I>> function, I input) {
        throw new UnsupportedOperationException("the baseline calls a Nano only");
    }

    @Override
    public <O> O call(String function, Object input, Class<O> output) {
        throw new UnsupportedOperationException("the baseline calls by class only");
    }

    @Override
    public Caller caller() {
        throw new UnsupportedOperationException();
    }

    @Override
    public String function() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Map<String, String> config() {
        throw new UnsupportedOperationException();
    }

    @Override
    public String config(String key) {
        throw new UnsupportedOperationException();
    }

    @Override
    public String secret(String name) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Duration remaining() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Logger log() {
        throw new UnsupportedOperationException();
    }

    @Override
    public HttpClient http() {
        return HTTP;
    }
}
