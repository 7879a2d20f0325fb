package dev.nanolith;

/** The called function runs in another process, which cannot be reached now; the platform is restarting it. */
public final class ServiceUnavailableException extends NanoException {

    private final String service;
    private final boolean delivered;

    /**
     * @param delivered whether the request had reached the process before it went down
     */
    public ServiceUnavailableException(String function, String service, boolean delivered, Throwable cause) {
        super(function, "'" + function + "' runs in service '" + service + "', which is down — it is being restarted; try again shortly", cause);
        this.service = service;
        this.delivered = delivered;
    }

    /**
     * Whether the request had reached the process before it went down: then the function may
     * have acted, and only an idempotent one may be called again; otherwise nothing was done.
     */
    public boolean delivered() {
        return delivered;
    }

    /** The service (process) that is down. */
    public String service() {
        return service;
    }
}
