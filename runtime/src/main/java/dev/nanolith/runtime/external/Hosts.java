package dev.nanolith.runtime.external;

import dev.nanolith.runtime.Call;
import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.config.HostConfig;
import dev.nanolith.runtime.observe.Metrics;
import dev.nanolith.runtime.resilience.Guard;
import dev.nanolith.runtime.resilience.Policy;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The external hosts that one revision of an app's functions call in this process, and the JDK
 * HTTP client their requests share (its connections and its thread), made when a function first
 * asks for it and closed with the revision.
 *
 * <p>Each origin ({@code https://psp.example}) has the caller's side of the standard error handler,
 * a {@link Guard} whose callers are the functions: each with the policy its {@code hosts:} gives, or
 * {@link Policy#HOST}; those with the same settings share a retry budget and a circuit breaker.
 * Each origin is an edge in the metrics, one sample per attempt:
 * {@code nanolith_edge_duration_seconds{caller="payments.charge",callee="https://psp.example",kind="external"}}.
 */
public final class Hosts implements AutoCloseable {

    /**
     * How many hosts that no {@code hosts:} names get a guard and edges of their own; requests to more
     * share one, {@value #OTHERS}, so that URLs made from requests cannot grow the metrics without bound.
     */
    private static final int MAX_UNNAMED = 64;
    private static final String OTHERS = "other-hosts";

    private final ExternalHttp external;
    private final String app;
    /** The policies of the functions that name a host under {@code hosts:}, by origin, then by function. */
    private final Map<String, Map<String, Policy>> named = new HashMap<>();
    private final Map<String, Host> byOrigin = new ConcurrentHashMap<>();
    private int unnamed;
    /** The guard of the hosts past {@link #MAX_UNNAMED}: set once they are, and read without a lock. */
    private volatile Host others;
    private HttpClient client;
    private boolean closed;

    Hosts(ExternalHttp external, String app, Collection<FunctionSpec> functions) {
        this.external = external;
        this.app = app;
        for (FunctionSpec function : functions) {
            function.policies().hosts().forEach((origin, policy) -> named.computeIfAbsent(origin, o -> new HashMap<>()).put(function.name(), policy));
        }
    }

    /** The client {@code call}'s function holds for this call: its requests carry the call's deadline. */
    public HttpClient client(Call call) {
        return new HostClient(this, call, client());
    }

    /** Ends the requests in flight and the client's thread, and takes the hosts' breakers out of the metrics. */
    @Override
    public synchronized void close() {
        closed = true;
        if (client != null) {
            client.shutdownNow();
        }
        byOrigin.values().forEach(host -> host.guard().close());
    }

    /** The JDK's client, with its defaults (no redirects followed, HTTP/2 where the host offers it). */
    private synchronized HttpClient client() {
        if (closed) {
            throw new IllegalStateException("the revision no longer serves: its functions make no more requests");
        }
        if (client == null) {
            client = HttpClient.newHttpClient();
        }
        return client;
    }

    /** Makes {@code request} for {@code call} through its host's guard. */
    <T> HttpResponse<T> send(Call call, HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> handler,
                             HttpResponse.PushPromiseHandler<T> push) throws IOException, InterruptedException {
        String origin = HostConfig.origin(request.uri());
        if (origin == null) {
            throw new IllegalArgumentException("'" + request.uri() + "' is not an http or https URI with a host — ctx.http() makes HTTP requests");
        }
        Host host = host(origin);
        Timer edge = host.edges().get(call.function());
        if (edge == null) {
            edge = host.edges().computeIfAbsent(call.function(), caller -> Metrics.edgeDuration(external.registry(), app, caller, host.origin(),
                    "external"));
        }
        // The host may join the operation's trace (W3C Trace Context), as a child of the calling function's span.
        HttpRequest traced = request.headers().firstValue("traceparent").isPresent() ? request
                : HttpRequest.newBuilder(request, (name, value) -> true).header("traceparent", call.trace().traceparent()).build();
        Exchange<T> exchange = new Exchange<>(origin, client, traced, handler, push, edge);
        try {
            @SuppressWarnings("unchecked")
            HttpResponse<T> response = (HttpResponse<T>) host.guard().call(call.function(), call.trace(), call.deadline(), false, exchange, null,
                    (input, none, deadline, tries) -> exchange.attempt(deadline), null);
            return response;
        } catch (Exchange.Failed failed) {
            return exchange.end(failed);
        } finally {
            exchange.letGo();
        }
    }

    /** The host of {@code origin}: its own, or past {@link #MAX_UNNAMED} unnamed ones, the one they share. */
    Host host(String origin) {
        Host host = byOrigin.get(origin);
        if (host != null) {
            return host;
        }
        Host shared = others;
        if (shared != null && !named.containsKey(origin)) {
            return shared;
        }
        synchronized (this) {
            host = byOrigin.get(origin);
            if (host != null) {
                return host;
            }
            if (!named.containsKey(origin)) {
                if (unnamed == MAX_UNNAMED) {
                    others = newHost(OTHERS);
                    return others;
                }
                unnamed++;
            }
            host = newHost(origin);
            byOrigin.put(origin, host);
            return host;
        }
    }

    private Host newHost(String origin) {
        return new Host(origin, new Guard(external.registry(), external.process(), app, origin, Policy.HOST, named.getOrDefault(origin, Map.of()),
                false), new ConcurrentHashMap<>());
    }

    /** One origin: its guard, and its edge from each function that calls it. */
    record Host(String origin, Guard guard, Map<String, Timer> edges) {
    }
}
