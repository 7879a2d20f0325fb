package dev.nanolith.runtime.external;

import dev.nanolith.runtime.FunctionSpec;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpClient;
import java.util.Collection;

/**
 * Calls out of the platform from one process ({@code ctx.http()}): the JDK HTTP client their
 * requests share, with its connections and its thread, made when the first request goes; and where
 * their events are counted.
 */
public final class ExternalHttp implements AutoCloseable {

    private final MeterRegistry registry;
    private final String process;
    private volatile HttpClient client;

    /** @param process which process this is (a worker's service, {@code check}), for the hosts' breakers' metrics */
    public ExternalHttp(MeterRegistry registry, String process) {
        this.registry = registry;
        this.process = process;
    }

    /** The hosts that {@code functions}, of one revision of {@code app}, call from this process; closed when the revision is retired. */
    public Hosts hosts(String app, Collection<FunctionSpec> functions) {
        return new Hosts(this, app, functions);
    }

    MeterRegistry registry() {
        return registry;
    }

    String process() {
        return process;
    }

    /** The JDK's client, with its defaults (no redirects followed, HTTP/2 where the host offers it). */
    HttpClient client() {
        HttpClient made = client;
        if (made == null) {
            synchronized (this) {
                made = client;
                if (made == null) {
                    client = made = HttpClient.newHttpClient();
                }
            }
        }
        return made;
    }

    /** Ends the requests in flight and the client's thread. */
    @Override
    public synchronized void close() {
        if (client != null) {
            client.shutdownNow();
        }
    }
}
