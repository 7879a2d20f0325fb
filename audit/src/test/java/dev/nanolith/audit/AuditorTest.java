package dev.nanolith.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nanolith.runtime.observe.Activation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The audit's figures and findings, from activation records as the platform makes them. */
class AuditorTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    /** One function a service, as the nano placement has it. */
    private static final Map<String, String> NANO = Map.of("orders.create", "orders", "auth.check", "auth", "validation.validate", "validation",
            "checkout.place", "checkout", "payments.charge", "payments");

    private final Auditor auditor = new Auditor(Auditor.Guidelines.DEFAULT);
    private int ids;

    /** A call of {@code function}, placed by {@code placement}, made by {@code parent} (null: the entry), in {@code trace}. */
    private Activation call(Map<String, String> placement, String trace, String function, Activation parent) {
        String id = String.format("%016x", ++ids);
        return new Activation(id, "shop", function, "r1", placement.get(function), parent == null ? "entry" : parent.function(),
                parent == null || !parent.service().equals(placement.get(function)), "anonymous", trace, parent == null ? "" : parent.id(),
                T0.plusMillis(ids), 1_000_000, 0, Activation.Status.SUCCESS, -1, -1, List.of());
    }

    /** create-order: orders.create → auth, validation, checkout → payments. */
    private List<Activation> createOrder(Map<String, String> placement, String trace) {
        List<Activation> calls = new ArrayList<>();
        Activation create = call(placement, trace, "orders.create", null);
        calls.add(create);
        calls.add(call(placement, trace, "auth.check", create));
        calls.add(call(placement, trace, "validation.validate", create));
        Activation place = call(placement, trace, "checkout.place", create);
        calls.add(place);
        calls.add(call(placement, trace, "payments.charge", place));
        return calls;
    }

    @Test
    void measuresEachOperationAndFlagsTheNanoServiceAntiPatternWithItsEvidence() {
        List<Activation> records = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            records.addAll(createOrder(NANO, String.format("%032x", i + 1)));
        }
        Audit audit = auditor.audit("shop", "r1", NANO, records);

        assertEquals(3, audit.traces());
        Audit.Operation op = audit.operations().getFirst();
        assertEquals(new Audit.Operation("orders.create", 3, 5, 4, 3, 3, 1.0, null, 0.0, List.of("auth", "checkout", "payments", "validation"),
                String.format("%032x", 3)), op);
        assertEquals(List.of(Audit.Kind.MANY_DEPENDENCIES, Audit.Kind.MANY_HOPS, Audit.Kind.SINGLE_CALLER, Audit.Kind.SINGLE_CALLER,
                Audit.Kind.SINGLE_CALLER, Audit.Kind.SINGLE_CALLER), audit.findings().stream().map(Audit.Finding::kind).toList());
        Audit.Finding hops = audit.findings().get(1);
        assertEquals("4 calls between processes of its 5 calls (median of 3 traces; at most 3)", hops.evidence());
        Audit.Finding charge = audit.findings().stream().filter(f -> f.subject().equals("payments")).findFirst().orElseThrow();
        assertEquals("merge 'payments' into 'checkout'", charge.action());
        assertEquals(List.of("orders"), audit.services().stream().filter(s -> s.name().equals("auth")).findFirst().orElseThrow().callers());
    }

    @Test
    void findsACycleBetweenServicesOnce() {
        List<Activation> records = new ArrayList<>(createOrder(NANO, "0000000000000000000000000000000a"));
        Activation charge = records.getLast();
        records.add(call(NANO, "0000000000000000000000000000000a", "orders.create", charge));
        List<Audit.Finding> cycles = auditor.audit("shop", "r1", NANO, records).findings().stream()
                .filter(f -> f.kind() == Audit.Kind.CYCLE).toList();
        assertEquals(1, cycles.size(), cycles.toString());
        assertTrue(cycles.getFirst().evidence().contains("checkout → payments → orders"), cycles.getFirst().evidence());
    }

    @Test
    void anAppInOneServiceHasNoFindingAndOtherRevisionsAndTheGatewaysRecordsAreNotRead() {
        Map<String, String> monolith = Map.of("orders.create", "shop", "auth.check", "shop", "validation.validate", "shop", "checkout.place", "shop",
                "payments.charge", "shop");
        List<Activation> records = new ArrayList<>(createOrder(monolith, "000000000000000000000000000000b1"));
        records.addAll(createOrder(NANO, "000000000000000000000000000000b2").stream().map(a -> new Activation(a.id(), a.app(), a.function(), "r0",
                a.service(), a.caller(), a.remote(), a.principal(), a.traceId(), a.parentId(), a.start(), a.durationNanos(), a.remoteNanos(), a.status(), -1, -1,
                a.logs())).toList());
        records.add(new Activation("00000000000000f1", "shop", "orders.create", "r1", Activation.GATEWAY, "entry", false, "anonymous",
                "000000000000000000000000000000b3", "", T0, 1, 0, Activation.Status.DENIED, -1, -1, List.of()));
        Audit audit = auditor.audit("shop", "r1", monolith, records);
        assertEquals(1, audit.traces());
        assertEquals(List.of(), audit.findings());
        assertEquals(new Audit.Operation("orders.create", 1, 5, 0, 3, 3, 1.0, null, 0.0, List.of(), "000000000000000000000000000000b1"),
                audit.operations().getFirst());
    }
}
