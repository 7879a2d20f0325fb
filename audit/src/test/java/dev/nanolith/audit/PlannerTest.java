package dev.nanolith.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The placement plan: the measured cost of a hop, the steps, the constraints they keep, the predictions and the callers' rules. */
class PlannerTest {

    private final Records records = new Records();
    private final Planner planner = new Planner();

    private static Planner.Constraints free() {
        return new Planner.Constraints(Set.of(), Map.of(), Map.of(), 0, Set.of());
    }

    @Test
    void measuresTheCostOfAHopAndMergesTheNanoServicesIntoOneStepByStep() {
        Plan plan = planner.plan("shop", "r1", Records.NANO, records.createOrders(Records.NANO, 5), null, free(), Integer.MAX_VALUE);
        assertEquals(500, plan.model().hopMicros(), 1e-6, "0.5 ms a hop, as the records show it");
        assertEquals(5, plan.model().traces());
        assertEquals(4, plan.steps().size());
        plan.steps().forEach(step -> assertEquals(Plan.Kind.MERGE, step.kind()));
        assertEquals(Set.of("orders"), Set.copyOf(plan.placement().values()));
        Plan.Prediction createOrder = plan.operations().getFirst();
        // 7 ms now; its four hops of 0.5 ms are gone after the plan.
        assertEquals(new Plan.Prediction("orders.create", 5, 7.0, 4, 5.0, 0), createOrder);
        assertEquals(Map.of("auth.check", List.of("orders.create"), "validation.validate", List.of("orders.create"), "checkout.place",
                List.of("orders.create"), "payments.charge", List.of("checkout.place")), plan.callers());
        assertEquals(Records.NANO, plan.after(0));
        // A function alone in a service of its name (nano) keeps it as services: takes names, as the plan's branch writes it.
        Plan alone = new Plan("shop", "r1", plan.model(), Map.of("payments.charge", "payments.charge"), List.of(), List.of(), Map.of());
        assertEquals(Map.of("payments.charge", "payments-charge"), alone.placement());
        assertThrows(IllegalArgumentException.class, () -> plan.after(5));
    }

    @Test
    void saysWhenTheHostWasBusyThatTheModelLeavesOutTheCpuFewerProcessesFree() {
        Usage busy = new Usage(10, 1, 2, 1.9, 0.4, Map.of("orders", 0.8, "auth", 0.3));
        Plan plan = planner.plan("shop", "r1", Records.NANO, records.createOrders(Records.NANO, 5), busy, free(), Integer.MAX_VALUE);
        assertEquals(busy, plan.model().cpu());
        assertTrue(plan.model().describe().endsWith("The host was busy (1.90 of 2 cores, 1.10 of them the app's 2 workers): the model"
                + " leaves out the CPU that fewer processes free, so operations will likely take less than predicted"), plan.model().describe());
        for (Usage notTheApps : List.of(new Usage(10, 1, 2, 0.5, 0.1, Map.of("orders", 0.2)), new Usage(10, 1, 2, 1.9, 0.1, Map.of("orders", 0.2)))) {
            assertFalse(planner.plan("shop", "r1", Records.NANO, records.createOrders(Records.NANO, 5), notTheApps, free(), Integer.MAX_VALUE)
                    .model().describe().contains("busy"), "an idle host, or one another load made busy: " + notTheApps);
        }
    }

    @Test
    void takesTheFirstStepsOnlyWhenAskedAndPredictsWhatTheyDo() {
        Plan one = planner.plan("shop", "r1", Records.NANO, records.createOrders(Records.NANO, 5), null, free(), 1);
        assertEquals(1, one.steps().size());
        assertEquals(3, one.operations().getFirst().predictedHops());
        assertEquals(7.0 - 0.5, one.operations().getFirst().predictedMillis(), 1e-9);
    }

    @Test
    void keepsIsolatedFunctionsIndependentServicesOwnersAndTheSizeLimitApart() {
        List<dev.nanolith.runtime.observe.Activation> traffic = records.createOrders(Records.NANO, 5);
        Plan isolated = planner.plan("shop", "r1", Records.NANO, traffic, null,
                new Planner.Constraints(Set.of("payments.charge"), Map.of(), Map.of(), 0, Set.of()), Integer.MAX_VALUE);
        assertEquals("payments", isolated.placement().get("payments.charge"));
        assertEquals(1, isolated.operations().getFirst().predictedHops());
        assertEquals(7.0 - 1.5, isolated.operations().getFirst().predictedMillis(), 1e-9);

        Plan independent = planner.plan("shop", "r1", Records.NANO, traffic, null,
                new Planner.Constraints(Set.of(), Map.of("checkout.place", "checkout", "payments.charge", "checkout"), Map.of(), 0, Set.of()),
                Integer.MAX_VALUE);
        String apart = independent.placement().get("checkout.place");
        assertEquals(apart, independent.placement().get("payments.charge"));
        independent.placement().forEach((f, s) -> assertEquals(f.startsWith("checkout.") || f.startsWith("payments."), s.equals(apart), f));

        Plan byOwner = planner.plan("shop", "r1", Records.NANO, traffic, null, new Planner.Constraints(Set.of(), Map.of(), Map.of("orders.create", "a",
                "auth.check", "a", "validation.validate", "a", "checkout.place", "b", "payments.charge", "b"), 0, Set.of()), Integer.MAX_VALUE);
        assertEquals(2, Set.copyOf(byOwner.placement().values()).size(), byOwner.placement().toString());

        Plan small = planner.plan("shop", "r1", Records.NANO, traffic, null, new Planner.Constraints(Set.of(), Map.of(), Map.of(), 2, Set.of()),
                Integer.MAX_VALUE);
        Map<String, Long> sizes = new TreeMap<>();
        small.placement().values().forEach(s -> sizes.merge(s, 1L, Long::sum));
        sizes.values().forEach(n -> assertEquals(true, n <= 2, sizes.toString()));
    }

    @Test
    void aCallOfALibraryFunctionCostsNoHopSoNoStepIsTakenForIt() {
        Plan plan = planner.plan("shop", "r1", Records.NANO, records.createOrders(Records.NANO, 5), null,
                new Planner.Constraints(Set.of(), Map.of(), Map.of(), 0, Set.of("validation.validate")), Integer.MAX_VALUE);
        plan.steps().forEach(step -> assertEquals(false, step.functions().contains("validation.validate") && step.kind() == Plan.Kind.MERGE
                && step.why().contains("validation and"), step.toString()));
        assertEquals(0, plan.operations().getFirst().predictedHops());
    }
}
