package dev.nanolith;

/** The called function runs in another process, which cannot be reached now; the platform is restarting it. */
public final class ServiceUnavailableException extends NanoException {

    private final String service;

    public ServiceUnavailableException(String function, String service, Throwable cause) {
        super(function, "'" + function + "' runs in service '" + service + "', which is down — it is being restarted; try again shortly", cause);
        this.service = service;
    }

    /** The service (process) that is down. */
    public String service() {
        return service;
    }
}
