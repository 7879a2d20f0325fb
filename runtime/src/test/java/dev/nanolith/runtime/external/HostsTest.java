package dev.nanolith.runtime.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.resilience.Policies;
import dev.nanolith.runtime.resilience.Policy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The hosts a revision's functions call: a bounded number of them named in the metrics, however many URLs requests make. */
class HostsTest {

    static final String PSP = "https://psp.example";

    @Test
    void hostsNoConfigNamesShareOneEdgeOnceThereAreSixtyFourButANamedHostKeepsItsOwn() {
        FunctionSpec charge = new FunctionSpec("shop", "payments.charge", "", Object.class, null, null, null, Duration.ofSeconds(1), Map.of(),
                List.of(), "", "shop", null, null, List.of(), new Policies(Policy.DEFAULT, Map.of(), 0, true, Map.of(PSP, Policy.HOST)), Set.of());
        try (Hosts hosts = new ExternalHttp(new SimpleMeterRegistry(), "test").hosts("shop", List.of(charge))) {
            for (int i = 0; i < 64; i++) {
                assertEquals("http://10.0.0." + i, hosts.host("http://10.0.0." + i).origin());
            }
            assertEquals("other-hosts", hosts.host("http://10.0.1.1").origin());
            assertSame(hosts.host("http://10.0.1.1"), hosts.host("http://10.0.1.2"));
            assertEquals("http://10.0.0.7", hosts.host("http://10.0.0.7").origin(), "a host seen before keeps its edge");
            assertEquals(PSP, hosts.host(PSP).origin());
        }
    }
}
