package dev.nanolith.runtime.resilience;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The error handler's events on the calls of one callee, counted in
 * {@code nanolith_resilience_events_total{app,caller,callee,event}}: {@code retry},
 * {@code rate-limit-wait}, {@code circuit-open} (a call the open breaker failed at once),
 * {@code bulkhead-full}, {@code fallback}, {@code budget-exhausted}. Every label value is a name
 * from the app's config or code, or an external host's origin, of which a revision has a bounded
 * number ({@link dev.nanolith.runtime.external.Hosts}).
 */
record Events(MeterRegistry registry, String app, String callee) {

    /** Counts one {@code event} on a call from {@code caller} (null: the entry of an operation). */
    void count(String caller, String event) {
        Counter.builder("nanolith.resilience.events").description("What the standard error handler did about failed calls, by edge")
                .tags("app", app, "caller", caller == null ? "entry" : caller, "callee", callee, "event", event)
                .register(registry).increment();
    }
}
