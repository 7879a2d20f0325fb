package dev.nanolith.runtime.external;

import dev.nanolith.runtime.Call;
import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.config.HostConfig;
import dev.nanolith.runtime.observe.Metrics;
import dev.nanolith.runtime.resilience.Guard;
import dev.nanolith.runtime.resilience.Policies;
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
import java.util.concurrent.TimeUnit;

/**
 * The external hosts that one revision of an app's functions call in this process. Each origin
 * ({@code https://psp.example}) has the caller's side of the standard error handler, a {@link Guard}
 * whose callers are the functions, each with the policy its {@code hosts:} gives (or
 * {@link Policy#HOST}), sharing a retry budget and, where configured, a circuit breaker; and each
 * origin is an edge in the metrics: {@code nanolith_edge_duration_seconds{caller="payments.charge",
 * callee="https://psp.example",kind="external"}}.
 */
public final class Hosts implements AutoCloseable {

    /**
     * How many hosts that no {@code hosts:} names get a guard and edges of their own; requests to more
     * share one, {@value #OTHERS}, so that URLs made from requests cannot grow the metrics without bound.
     */
    static final int MAX_UNNAMED = 64;
    static final String OTHERS = "other-hosts";

    private final ExternalHttp external;
    private final String app;
    /** The policies of the functions that name a host under {@code hosts:}, by origin, then by function. */
    private final Map<String, Map<String, Policy>> named = new HashMap<>();
    private final Map<String, Host> byOrigin = new ConcurrentHashMap<>();
    private int unnamed;

    Hosts(ExternalHttp external, String app, Collection<FunctionSpec> functions) {
        this.external = external;
        this.app = app;
        for (FunctionSpec function : functions) {
            function.policies().hosts().forEach((origin, policy) -> named.computeIfAbsent(origin, o -> new HashMap<>()).put(function.name(), policy));
        }
    }

    /** The client {@code call}'s function holds for this call: its requests carry the call's deadline. */
    public HttpClient client(Call call) {
        return new HostClient(this, call, external.client());
    }

    /** Takes the hosts' breakers out of the metrics, as the revision goes. */
    @Override
    public void close() {
        byOrigin.values().forEach(host -> host.guard().close());
    }

    /** Makes {@code request} for {@code call} through its host's guard, and records it on the edge. */
    <T> HttpResponse<T> send(Call call, HttpRequest request, HttpResponse.BodyHandler<T> handler,
                             HttpResponse.PushPromiseHandler<T> push) throws IOException, InterruptedException {
        String origin = HostConfig.origin(request.uri());
        if (origin == null) {
            throw new IllegalArgumentException("'" + request.uri() + "' is not an http or https URI with a host — ctx.http() makes HTTP requests");
        }
        Host host = host(origin);
        Exchange<T> exchange = new Exchange<>(origin, request, handler, push);
        long start = System.nanoTime();
        try {
            @SuppressWarnings("unchecked")
            HttpResponse<T> response = (HttpResponse<T>) host.guard().call(call.function(), call.trace(), call.deadline(), false, exchange,
                    external.client(), Exchange::attempt, null);
            return response;
        } catch (Exchange.Failed failed) {
            return exchange.end(failed);
        } finally {
            Timer edge = host.edges().get(call.function());
            (edge != null ? edge : host.edges().computeIfAbsent(call.function(),
                    caller -> Metrics.edgeDuration(external.registry(), app, caller, host.origin(), "external")))
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private Host host(String origin) {
        Host host = byOrigin.get(origin);
        if (host != null) {
            return host;
        }
        synchronized (this) {
            host = byOrigin.get(origin);
            if (host != null) {
                return host;
            }
            if (!named.containsKey(origin)) {
                if (unnamed >= MAX_UNNAMED) {
                    return byOrigin.computeIfAbsent(OTHERS, this::newHost);
                }
                unnamed++;
            }
            return byOrigin.computeIfAbsent(origin, this::newHost);
        }
    }

    private Host newHost(String origin) {
        Policies policies = new Policies(Policy.HOST, named.getOrDefault(origin, Map.of()), 0, false, Map.of());
        return new Host(origin, new Guard(external.registry(), external.process(), app, origin, policies), new ConcurrentHashMap<>());
    }

    /** One origin: its guard, and its edge from each function that calls it. */
    private record Host(String origin, Guard guard, Map<String, Timer> edges) {
    }
}
