package dev.nanolith.runtime.placement;

/**
 * Where a worker takes calls from the platform's other processes.
 *
 * @param host the loopback address
 * @param port the port of calls between processes
 */
public record Endpoint(String host, int port) {

    /** An endpoint as {@link #toString()} writes it: {@code host:port}. */
    public static Endpoint parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || !text.substring(colon + 1).matches("\\d{1,5}")) {
            throw new IllegalArgumentException("'" + text + "' is not an endpoint — write host:port");
        }
        return new Endpoint(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
