package dev.nanolith.gateway;

import dev.nanolith.runtime.security.RateLimit;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's rate limits, one Resilience4j limiter per bucket (a function and one caller, or a
 * key): a call takes a permission or is refused at once with the time until the next one. A bucket
 * whose allowance is whole again is dropped when many are kept: made anew, it would be the same.
 */
final class RateLimits {

    /** How many buckets are kept before the whole ones are dropped. */
    private static final int SWEEP_ABOVE = 10_000;

    private final Map<String, AtomicRateLimiter> buckets = new ConcurrentHashMap<>();

    /**
     * Takes one call from {@code bucket}'s allowance under {@code limit}.
     *
     * @return null when the call may go on, or how long until the bucket allows one
     */
    Duration take(String bucket, RateLimit limit) {
        AtomicRateLimiter limiter = buckets.computeIfAbsent(bucket + " " + limit, name -> new AtomicRateLimiter(name, RateLimiterConfig.custom()
                .limitForPeriod(limit.calls()).limitRefreshPeriod(limit.period()).timeoutDuration(Duration.ZERO).build()));
        if (limiter.acquirePermission()) {
            if (buckets.size() > SWEEP_ABOVE) {
                sweep();
            }
            return null;
        }
        return Duration.ofNanos(Math.max(1, limiter.getDetailedMetrics().getNanosToWait()));
    }

    private void sweep() {
        buckets.values().removeIf(limiter -> limiter.getMetrics().getAvailablePermissions() >= limiter.getRateLimiterConfig().getLimitForPeriod());
    }
}
