package dev.nanolith.gateway;

/**
 * Where the gateway listens and what it accepts.
 *
 * @param host         the address to bind; loopback unless told otherwise
 * @param port         the port, or 0 for any free one
 * @param maxBodyBytes the largest request body accepted; a larger one gets 413
 */
public record GatewayConfig(String host, int port, int maxBodyBytes) {

    /** The largest body accepted by default: 1 MiB. */
    public static final int DEFAULT_MAX_BODY = 1 << 20;

    public GatewayConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is out of range — use 0 to 65535");
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("the body limit must be at least 1 byte, not " + maxBodyBytes);
        }
    }

    /** Loopback, the given port, a 1 MiB body limit. */
    public static GatewayConfig loopback(int port) {
        return new GatewayConfig("127.0.0.1", port, DEFAULT_MAX_BODY);
    }
}
