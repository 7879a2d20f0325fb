package dev.nanolith.runtime.external;

import dev.nanolith.runtime.FunctionSpec;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;

/**
 * Where the calls of one process's functions to hosts outside the platform ({@code ctx.http()})
 * count their events: each revision loaded here gets its {@link Hosts} from it.
 *
 * @param process which process this is (a worker's service, {@code check}), for the hosts' breakers' metrics
 */
public record ExternalHttp(MeterRegistry registry, String process) {

    /** The hosts that {@code functions}, of one revision of {@code app}, call from this process; closed when the revision is retired. */
    public Hosts hosts(String app, Collection<FunctionSpec> functions) {
        return new Hosts(this, app, functions);
    }
}
