package dev.nanolith.runtime.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nanolith.runtime.config.AppConfig;
import dev.nanolith.runtime.config.ConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Placement plans, from a real nanolith.yaml: the same functions in one process, in services, or one per process. */
class PlacementTest {

    static final List<String> FUNCTIONS = List.of("checkout.place-order", "pricing.price-order", "payments.charge",
            "payments.refund", "audit.record", "reporting.sales-summary");

    @TempDir
    Path dir;

    AppConfig config() throws Exception {
        Files.writeString(dir.resolve("nanolith.yaml"), """
                app: shop
                functions:
                  audit.record:
                    isolated: true
                services:
                  storefront: [checkout.*, pricing.*]
                  payments: {functions: [payments.*], isolated: true}
                """);
        return ConfigFile.read(dir, name -> null).config();
    }

    @Test
    void aMonolithIsOneProcessButForWhatIsIsolated() throws Exception {
        assertEquals(Map.of("checkout.place-order", "shop", "pricing.price-order", "shop", "payments.charge", "payments",
                        "payments.refund", "payments", "audit.record", "audit.record", "reporting.sales-summary", "shop"),
                Placement.plan(Placement.Rule.of(Placement.Mode.MONOLITH), config(), FUNCTIONS).serviceOf());
    }

    @Test
    void servicesFollowTheConfigAndTheRestGoesToTheDefaultService() throws Exception {
        assertEquals(Map.of("checkout.place-order", "storefront", "pricing.price-order", "storefront", "payments.charge", "payments",
                        "payments.refund", "payments", "audit.record", "audit.record", "reporting.sales-summary", Placement.DEFAULT_SERVICE),
                Placement.plan(Placement.Rule.of(Placement.Mode.SERVICES), config(), FUNCTIONS).serviceOf());
    }

    @Test
    void nanoIsOneProcessPerFunctionButAnIsolatedServiceStaysWhole() throws Exception {
        assertEquals(Map.of("checkout.place-order", "checkout.place-order", "pricing.price-order", "pricing.price-order",
                        "payments.charge", "payments", "payments.refund", "payments", "audit.record", "audit.record",
                        "reporting.sales-summary", "reporting.sales-summary"),
                Placement.plan(Placement.Rule.of(Placement.Mode.NANO), config(), FUNCTIONS).serviceOf());
    }

    @Test
    void globsMatchWholeNamesWithStarsForAnyRun() {
        assertEquals(true, Placement.matches("checkout.*", "checkout.place-order"));
        assertEquals(false, Placement.matches("checkout.*", "checkouts.place-order"));
        assertEquals(true, Placement.matches("*.charge", "payments.charge"));
        assertEquals(false, Placement.matches("pay", "payments.charge"));
    }
}
