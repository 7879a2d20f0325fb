package dev.nanolith.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nanolith.runtime.observe.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The audit's figures, findings and checklist, from activation records as the platform makes them. */
class AuditorTest {

    /** Who owns what: two teams with two services each, one with one. */
    private static final Map<String, String> OWNERS = Map.of("orders.create", "orders-team", "validation.validate", "orders-team",
            "auth.check", "identity", "checkout.place", "checkout-team", "payments.charge", "checkout-team");

    private final Auditor auditor = new Auditor(Auditor.Guidelines.DEFAULT);
    private final Records records = new Records();

    static List<Auditor.Function> functions(Map<String, String> placement, Map<String, String> owners, Map<String, String> code) {
        return placement.keySet().stream().sorted().map(f -> new Auditor.Function(f, placement.get(f), Records.CALLS.getOrDefault(f, List.of()),
                owners.get(f), false, code.getOrDefault(f, ""), false)).toList();
    }

    private Audit audit(Map<String, String> placement, List<Activation> traffic) {
        return auditor.audit("shop", "r1", functions(placement, OWNERS, Map.of()), List.of(), traffic, Map.of(), null);
    }

    @Test
    void measuresEachOperationAndFlagsTheNanoServiceAntiPatternWithItsEvidence() {
        Audit audit = audit(Records.NANO, records.createOrders(Records.NANO, 3));

        assertEquals(3, audit.traces());
        // 7 ms: 1 ms of each of five functions, and four hops of 0.5 ms; 2 of the 7 ms between processes.
        assertEquals(new Audit.Operation("orders.create", 3, 0, 5, 4, 3, 3, 7.0, null, 0.286, List.of("auth", "checkout", "payments", "validation"),
                String.format("%032x", 3)), audit.operations().getFirst());
        assertEquals(List.of(Audit.Kind.MANY_DEPENDENCIES, Audit.Kind.MANY_HOPS, Audit.Kind.UTILITY_SERVICE, Audit.Kind.SINGLE_CALLER,
                Audit.Kind.SINGLE_CALLER, Audit.Kind.SINGLE_CALLER, Audit.Kind.SINGLE_CALLER), audit.findings().stream().map(Audit.Finding::kind).toList());
        assertEquals("4 calls between processes of its 5 calls, 29% of its 7.0 ms spent between processes (medians of 3 traces; at most 3)",
                audit.findings().get(1).evidence());
        Audit.Finding utility = audit.findings().get(2);
        assertEquals("validation", utility.subject());
        assertEquals("validation.validate: a technical utility in a process of its own, called from 1 service (orders), 3 calls between processes"
                + " in the traffic read", utility.evidence());
        Audit.Finding charge = audit.findings().stream().filter(f -> f.subject().equals("payments")).findFirst().orElseThrow();
        assertEquals("merge 'payments' into 'checkout'", charge.action());
        Audit.Service auth = audit.services().stream().filter(s -> s.name().equals("auth")).findFirst().orElseThrow();
        assertEquals(List.of("orders"), auth.callers());
        assertEquals(List.of("one team?/yes", "several callers?/no", "operational burden justified?/no", "team capacity?/yes"),
                auth.checklist().stream().filter(a -> List.of("one team?", "several callers?", "operational burden justified?", "team capacity?")
                        .contains(a.question())).map(a -> a.question() + "/" + a.answer()).toList());
    }

    @Test
    void showsTheCpuEachProcessUsedAsTheEvidenceOfItsBurden() {
        Usage cpu = new Usage(10, 1, 2, 1.9, 0.4, Map.of("orders", 0.3, "auth", 0.1, "validation", 0.05, "checkout", 0.05, "payments", 0.0));
        Audit audit = auditor.audit("shop", "r1", functions(Records.NANO, OWNERS, Map.of()), List.of(), records.createOrders(Records.NANO, 3),
                Map.of(), cpu);

        assertEquals(cpu, audit.cpu());
        Audit.Service auth = audit.services().stream().filter(s -> s.name().equals("auth")).findFirst().orElseThrow();
        assertEquals(3, auth.calls());
        assertEquals(0.1, auth.cores());
        assertEquals("a process of its own for a single caller or a utility; its worker used 0.100 cores for 3 calls, 20% of the CPU of the app's"
                + " 5 workers", auth.checklist().stream().filter(a -> a.question().equals("operational burden justified?")).findFirst().orElseThrow()
                .evidence());
    }

    @Test
    void countsFailedOperationsApartFromTheFiguresOfThoseThatSucceeded() {
        List<Activation> traffic = new ArrayList<>(records.createOrders(Records.NANO, 3));
        // Four more that failed after 50 ms, no call made: more than those that succeeded.
        for (int i = 0; i < 4; i++) {
            traffic.add(new Activation("00000000000000f" + i, "shop", "orders.create", "r1", "orders", "entry", true, "anonymous",
                    "0000000000000000000000000000000" + (char) ('a' + i), "", Records.T0, 50_000_000, 0, Activation.Status.TIMEOUT, 10, -1, List.of()));
        }
        Audit.Operation create = audit(Records.NANO, traffic).operations().getFirst();
        assertEquals(7, create.traces());
        assertEquals(4, create.failed());
        assertEquals(7.0, create.millis(), "the median of the three that succeeded");
        assertEquals(5, create.calls());
    }

    @Test
    void findsACycleBetweenServicesOnce() {
        List<Activation> traffic = new ArrayList<>(records.createOrder(Records.NANO, "0000000000000000000000000000000a", "r1"));
        Activation charge = traffic.stream().filter(a -> a.function().equals("payments.charge")).findFirst().orElseThrow();
        traffic.add(new Activation("00000000000000ff", "shop", "orders.create", "r1", "orders", "payments.charge", true, "anonymous",
                charge.traceId(), charge.id(), Records.T0, 1_000_000, 0, Activation.Status.SUCCESS, 10, 10, List.of()));
        List<Audit.Finding> cycles = audit(Records.NANO, traffic).findings().stream().filter(f -> f.kind() == Audit.Kind.CYCLE).toList();
        assertEquals(1, cycles.size(), cycles.toString());
        assertTrue(cycles.getFirst().evidence().contains("checkout → payments → orders"), cycles.getFirst().evidence());
    }

    @Test
    void anAppInOneServiceOfOneTeamHasNoFindingAndOtherRevisionsAndTheGatewaysRecordsAreNotRead() {
        Map<String, String> monolith = Map.of("orders.create", "shop", "auth.check", "shop", "validation.validate", "shop", "checkout.place", "shop",
                "payments.charge", "shop");
        List<Activation> traffic = new ArrayList<>(records.createOrder(monolith, "000000000000000000000000000000b1", "r1"));
        traffic.addAll(records.createOrder(Records.NANO, "000000000000000000000000000000b2", "r0"));
        traffic.add(new Activation("00000000000000f1", "shop", "orders.create", "r1", Activation.GATEWAY, "entry", false, "anonymous",
                "000000000000000000000000000000b3", "", Records.T0, 1, 0, Activation.Status.DENIED, -1, -1, List.of()));
        Map<String, String> oneTeam = Map.of("orders.create", "shop-team", "auth.check", "shop-team", "validation.validate", "shop-team",
                "checkout.place", "shop-team", "payments.charge", "shop-team");
        Audit audit = auditor.audit("shop", "r1", functions(monolith, oneTeam, Map.of()), List.of(), traffic, Map.of("orders.create", 4.5), null);
        assertEquals(1, audit.traces());
        assertEquals(List.of(), audit.findings());
        assertEquals(new Audit.Operation("orders.create", 1, 0, 5, 0, 3, 3, 5.0, 4.5, 0.0, List.of(), "000000000000000000000000000000b1"),
                audit.operations().getFirst());
    }

    @Test
    void namesFunctionsOfAnotherAppWithTheSameCodeButForNamesAndTheirOwners() {
        StringBuilder written = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            written.append(String.format("%02d", (i * 37 + i / 7) % 100));
        }
        String code = written.toString();
        Audit audit = auditor.audit("shop", "r1", functions(Records.NANO, OWNERS, Map.of("payments.charge", code)),
                List.of(new Auditor.Peer("billing", "billing.pay", "billing-team", code.substring(0, code.length() - 2) + "zz"),
                        new Auditor.Peer("other", "other.thing", null, "0a0a0a0a".repeat(30))), records.createOrders(Records.NANO, 1), Map.of(), null);
        List<Audit.Finding> duplicates = audit.findings().stream().filter(f -> f.kind() == Audit.Kind.DUPLICATE).toList();
        assertEquals(1, duplicates.size(), duplicates.toString());
        assertEquals("payments.charge = billing/billing.pay", duplicates.getFirst().subject());
        assertTrue(duplicates.getFirst().evidence().endsWith("owners: checkout-team and billing-team"), duplicates.getFirst().evidence());
    }

    @Test
    void namesTeamsSpreadOverServicesServicesOfSeveralTeamsAndFunctionsWithoutOwner() {
        Map<String, String> owners = Map.of("orders.create", "a", "auth.check", "a", "validation.validate", "a", "checkout.place", "b");
        Map<String, String> twoServices = Map.of("orders.create", "orders", "auth.check", "auth", "validation.validate", "validation",
                "checkout.place", "orders", "payments.charge", "payments");
        List<String> found = auditor.audit("shop", "r1", functions(twoServices, owners, Map.of()), List.of(), List.of(), Map.of(), null).findings().stream()
                .filter(f -> f.kind().compareTo(Audit.Kind.DUPLICATE) > 0).map(f -> f.kind().word() + " " + f.subject() + ": " + f.evidence()).toList();
        assertEquals(List.of("spread-team a: owns 3 services: auth, orders, validation", "shared-service orders: 2 teams own its functions: a, b",
                "no-owner shop: 1 of 5 functions name no owner: payments.charge"), found.stream().sorted((x, y) -> Integer.compare(
                List.of("spread", "shared", "no-own").indexOf(x.substring(0, 6)), List.of("spread", "shared", "no-own").indexOf(y.substring(0, 6)))).toList());
    }

    @Test
    void aPushIsReviewedFromItsCodeAlone() {
        List<Audit.Finding> flagged = new Auditor(new Auditor.Guidelines(15, 25, 2, 3, Auditor.OnPush.WARN)).review("shop",
                functions(Records.NANO, OWNERS, Map.of()));
        assertEquals(List.of("many-dependencies orders.create: its code calls into 4 services besides its own: auth, checkout, payments, validation"
                        + " (at most 2)", "many-hops orders.create: its code makes 4 calls between processes (at most 3)",
                "utility-service validation: a technical utility in a process of its own, called from orders"),
                flagged.stream().map(f -> f.kind().word() + " " + f.subject() + ": " + f.evidence()).toList());
    }
}
