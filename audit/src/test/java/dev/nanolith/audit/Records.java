package dev.nanolith.audit;

import dev.nanolith.runtime.observe.Activation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Activation records of the shop's create-order as the platform makes them, for a placement:
 * orders.create calls auth.check, validation.validate and checkout.place, which calls
 * payments.charge. Each function runs 1 ms of its own; a call between processes adds 0.5 ms,
 * which its caller waits and its callee does not see.
 */
final class Records {

    static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    /** What a call between processes adds, in ns. */
    static final long HOP = 500_000;
    /** One function a service, as the nano placement has it. */
    static final Map<String, String> NANO = Map.of("orders.create", "orders", "auth.check", "auth", "validation.validate", "validation",
            "checkout.place", "checkout", "payments.charge", "payments");
    /** The functions' calls, as their code makes them. */
    static final Map<String, List<String>> CALLS = Map.of("orders.create", List.of("auth.check", "validation.validate", "checkout.place"),
            "checkout.place", List.of("payments.charge"));

    private int ids;

    /** The records of one create-order in {@code trace}, its functions placed by {@code placement}, made in {@code revision}. */
    List<Activation> createOrder(Map<String, String> placement, String trace, String revision) {
        List<Activation> records = new ArrayList<>();
        call(placement, trace, revision, "orders.create", null, null, records);
        return records;
    }

    /** Records {@code function}'s call and its callees'; returns what its caller waited for it, in ns. */
    private long call(Map<String, String> placement, String trace, String revision, String function, String parent, String parentId,
                      List<Activation> records) {
        String id = String.format("%016x", ++ids);
        int at = records.size();
        records.add(null);
        long duration = 1_000_000, remote = 0;
        for (String callee : CALLS.getOrDefault(function, List.of())) {
            long waited = call(placement, trace, revision, callee, function, id, records);
            duration += waited;
            if (!placement.get(callee).equals(placement.get(function))) {
                remote += waited;
            }
        }
        boolean crossed = parent != null && !placement.get(parent).equals(placement.get(function));
        records.set(at, new Activation(id, "shop", function, revision, placement.get(function), parent == null ? "entry" : parent,
                parent == null || crossed, "anonymous", trace, parentId == null ? "" : parentId, T0.plusMillis(ids), duration, remote,
                Activation.Status.SUCCESS, crossed ? 100 : -1, crossed ? 20 : -1, List.of()));
        return duration + (crossed ? HOP : 0);
    }

    /** The records of {@code n} create-orders, traces numbered from 1. */
    List<Activation> createOrders(Map<String, String> placement, int n) {
        List<Activation> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.addAll(createOrder(placement, String.format("%032x", i + 1), "r1"));
        }
        return records;
    }
}
