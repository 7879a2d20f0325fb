package dev.nanolith.runtime.placement;

/**
 * Where the process of one service listens: calls from the platform's other processes on its
 * wire port, health and metrics over HTTP.
 *
 * @param host     the loopback address
 * @param wirePort the port of calls between processes
 * @param httpPort the port of {@code /health} and {@code /metrics}
 */
public record Endpoint(String host, int wirePort, int httpPort) {

    /** An endpoint as {@link #toString()} writes it: {@code host:wirePort:httpPort}. */
    public static Endpoint parse(String text) {
        String[] parts = text.split(":");
        if (parts.length != 3 || !parts[1].matches("\\d{1,5}") || !parts[2].matches("\\d{1,5}")) {
            throw new IllegalArgumentException("'" + text + "' is not an endpoint — write host:wirePort:httpPort");
        }
        return new Endpoint(parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
    }

    /** The base URL of the service's HTTP port. */
    public String http() {
        return "http://" + host + ":" + httpPort;
    }

    @Override
    public String toString() {
        return host + ":" + wirePort + ":" + httpPort;
    }
}
