package dev.nanolith.runtime.resilience;

import dev.nanolith.runtime.config.AppConfig;
import dev.nanolith.runtime.config.FunctionConfig;
import dev.nanolith.runtime.config.HostConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * How calls of one function are guarded: what its callers do when a call fails, by caller, and
 * what its own process allows.
 *
 * @param callers     what every caller does, unless it has its own
 * @param byCaller    the callers with their own, under their {@code calls:}
 * @param concurrency how many calls of it may run at once in its process; 0: no limit
 * @param idempotent  whether calling it twice with the same input does no more than once
 * @param hosts       what its requests to external hosts do, by origin ({@code https://psp.example}), where its
 *                    {@code hosts:} says; other hosts get {@link Policy#HOST}
 */
public record Policies(Policy callers, Map<String, Policy> byCaller, int concurrency, boolean idempotent, Map<String, Policy> hosts) {

    /** A function that says nothing: the platform's defaults. */
    public static final Policies DEFAULT = new Policies(Policy.DEFAULT, Map.of(), 0, false, Map.of());

    public Policies {
        byCaller = Map.copyOf(byCaller);
        hosts = Map.copyOf(hosts);
    }

    /** The policies of {@code function}, from its entry in {@code config} and its callers' {@code calls:}. */
    public static Policies of(AppConfig config, String function) {
        FunctionConfig own = config.function(function);
        Policy callers = Policy.of(own);
        Map<String, Policy> byCaller = new HashMap<>();
        config.functions().forEach((caller, entry) -> {
            if (entry.calls().containsKey(function)) {
                byCaller.put(caller, callers.with(entry.calls().get(function)));
            }
        });
        Map<String, Policy> hosts = new HashMap<>();
        own.hosts().forEach((origin, host) -> hosts.put(HostConfig.origin(origin), Policy.of(host)));
        return new Policies(callers, byCaller, own.concurrency() == null ? 0 : own.concurrency(), own.idempotent(), hosts);
    }
}
