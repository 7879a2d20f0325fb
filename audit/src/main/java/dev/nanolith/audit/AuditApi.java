package dev.nanolith.audit;

import dev.nanolith.gateway.Responses;
import dev.nanolith.observe.ActivationsApi;
import dev.nanolith.runtime.Router;
import dev.nanolith.runtime.observe.Activations;
import dev.nanolith.runtime.placement.Deployment;
import dev.nanolith.runtime.placement.Manifest;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The admin API's audit: {@code GET /apps/{app}/audit} answers the {@link Audit} of the revision
 * that serves the app, from the latest {@value #RECORDS} activation records of the app; 404 when
 * no revision of it serves.
 */
public final class AuditApi {

    /** How many of an app's latest records an audit reads. */
    static final int RECORDS = 20_000;

    private final Router router;
    private final ActivationsApi activations;
    private final Auditor auditor;

    public AuditApi(Router router, ActivationsApi activations, Auditor.Guidelines guidelines) {
        this.router = router;
        this.activations = activations;
        this.auditor = new Auditor(guidelines);
    }

    /**
     * The audit of what serves {@code app} now.
     *
     * @throws IllegalArgumentException when no revision of {@code app} serves
     */
    public Audit audit(String app) throws SQLException {
        Deployment serving = router.deployments().stream().filter(d -> d.app().equals(app)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no app '" + app + "' serves — ./nanolith apps lists them"));
        Map<String, String> placement = new TreeMap<>();
        for (Manifest.Function function : serving.functions()) {
            placement.put(function.name(), function.service());
        }
        return auditor.audit(app, serving.id(), placement, activations.latest(app, RECORDS));
    }

    /** Answers with the audit of the app in the path, or 404. */
    public void audit(ServerRequest req, ServerResponse res) throws SQLException, IOException {
        String app = req.path().pathParameters().get("app");
        Audit audit;
        try {
            audit = audit(app);
        } catch (IllegalArgumentException e) {
            Responses.error(res, Status.NOT_FOUND_404, "not-found", e.getMessage());
            return;
        }
        res.status(Status.OK_200).header(HeaderValues.CONTENT_TYPE_JSON).send(Activations.JSON.writeValueAsBytes(audit));
    }
}
