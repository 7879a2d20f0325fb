package dev.nanolith.runtime.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * What one function's requests to an external host do when they fail ({@code ctx.http()}), under
 * the function's {@code hosts:} in {@code nanolith.yaml}, keyed by the host's origin
 * ({@code https://psp.example}): each key given replaces the platform's default for hosts.
 */
public record HostConfig(
        RetryConfig retry,
        @JsonProperty("rate-limited") RateLimitedConfig rateLimited,
        @JsonProperty("circuit-breaker") CircuitBreakerConfig circuitBreaker) {

    /**
     * The origin {@code key} names, as {@link #origin(URI)} writes it: {@code scheme://host[:port]},
     * http or https, with nothing after it but an optional {@code /}.
     *
     * @throws IllegalArgumentException when it is not one, saying what to write
     */
    public static String origin(String key) {
        try {
            URI uri = new URI(key.strip());
            String path = uri.getRawPath();
            if (uri.getHost() != null && uri.getRawUserInfo() == null && uri.getRawQuery() == null && uri.getRawFragment() == null
                    && (path == null || path.isEmpty() || path.equals("/"))) {
                String origin = origin(uri);
                if (origin != null) {
                    return origin;
                }
            }
        } catch (URISyntaxException e) {
            // said below
        }
        throw new IllegalArgumentException("'" + key + "' is not an origin — write scheme://host[:port] with nothing after it,"
                + " such as https://psp.example or http://127.0.0.1:8081");
    }

    /**
     * The origin of a request's {@code uri}, as the metrics and {@code hosts:} name it: the scheme and
     * host in lower case, and the port unless it is the scheme's default (RFC 6454's serialization);
     * null when it is not an http or https URI with a host.
     */
    public static String origin(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        int defaultPort = switch (scheme) {
            case "http" -> 80;
            case "https" -> 443;
            default -> 0;
        };
        if (defaultPort == 0 || uri.getHost() == null) {
            return null;
        }
        int port = uri.getPort();
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (port == -1 || port == defaultPort ? "" : ":" + port);
    }
}
