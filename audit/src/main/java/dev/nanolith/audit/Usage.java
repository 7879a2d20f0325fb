package dev.nanolith.audit;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CPU a revision's processes and the host they run on used over a window, in cores (CPU
 * seconds a second: 1.0 is one core busy all the time).
 *
 * @param seconds  the time between the samples taken around the window, in s
 * @param coverage the share of the window asked for that the samples reach back to, 0 to 1: less when it began before
 *                 the control plane started, or more than an hour ago
 * @param cores    the host's cores
 * @param host     what the whole host used: every process on it
 * @param platform what the control plane's own process used
 * @param services what each service's worker used, its sandbox included, by service
 */
public record Usage(double seconds, double coverage, int cores, double host, double platform, Map<String, Double> services) {

    public Usage {
        services = Collections.unmodifiableMap(new TreeMap<>(services));
    }

    /** Whether the samples reach back over less than 95 % of the window: its figures are then told with their coverage. */
    @JsonProperty("partial")
    public boolean partial() {
        return coverage < 0.95;
    }

    /** What every worker of the revision used together. */
    @JsonProperty("workers")
    public double workers() {
        return services.values().stream().mapToDouble(Double::doubleValue).sum();
    }
}
