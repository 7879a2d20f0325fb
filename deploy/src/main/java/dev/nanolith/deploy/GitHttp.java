package dev.nanolith.deploy;

import dev.nanolith.runtime.load.LoadException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.GZIPInputStream;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.RefAdvertiser;
import org.eclipse.jgit.transport.UploadPack;

/**
 * Git's smart HTTP protocol on the gateway's own server: {@code /git/APP.git} clones, fetches
 * and pushes with the stock git client and the app's deploy token. A push to {@code main} is a
 * deploy: checked before {@code main} moves, served as soon as it has.
 */
public final class GitHttp implements HttpService {

    private static final String MAIN = Constants.R_HEADS + "main";
    private static final String UPLOAD = "git-upload-pack";
    private static final String RECEIVE = "git-receive-pack";

    private final AppStore store;
    private final Deployer deployer;

    public GitHttp(AppStore store, Deployer deployer) {
        this.store = store;
        this.deployer = deployer;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/{repo}/info/refs", this::advertise)
                .post("/{repo}/" + UPLOAD, (req, res) -> serve(req, res, UPLOAD))
                .post("/{repo}/" + RECEIVE, (req, res) -> serve(req, res, RECEIVE));
    }

    private void advertise(ServerRequest req, ServerResponse res) throws IOException {
        String service = req.query().first("service").orElse("");
        if (!service.equals(UPLOAD) && !service.equals(RECEIVE)) {
            plain(res, Status.FORBIDDEN_403, "only git's smart HTTP protocol is served here — use git 1.6.6 or newer");
            return;
        }
        Optional<String> app = app(req, res);
        if (app.isEmpty()) {
            return;
        }
        res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/x-" + service + "-advertisement"));
        res.header(HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-cache"));
        try (OutputStream out = res.outputStream()) {
            PacketLineOut lines = new PacketLineOut(out);
            lines.writeString("# service=" + service + "\n");
            lines.end();
            if (!authorized(req, app.get())) {
                // git prints an ERR line as "fatal: remote error: …", which a 403 would not say.
                lines.writeString("ERR the deploy token of '" + app.get() + "' is wrong — use the token the platform printed when the app"
                        + " was created, or make a new one with ./nanolith apps token " + app.get());
                return;
            }
            RefAdvertiser advertiser = new RefAdvertiser.PacketLineOutRefAdvertiser(lines);
            Repository repo = store.repository(app.get());
            if (service.equals(UPLOAD)) {
                UploadPack upload = new UploadPack(repo);
                upload.setBiDirectionalPipe(false);
                upload.sendAdvertisedRefs(advertiser);
            } else {
                receivePack(app.get(), repo).sendAdvertisedRefs(advertiser);
            }
        }
    }

    private void serve(ServerRequest req, ServerResponse res, String service) throws IOException {
        Optional<String> app = app(req, res);
        if (app.isEmpty()) {
            return;
        }
        if (!authorized(req, app.get())) {
            plain(res, Status.FORBIDDEN_403, "the deploy token of '" + app.get() + "' is wrong");
            return;
        }
        res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/x-" + service + "-result"));
        res.header(HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-cache"));
        Repository repo = store.repository(app.get());
        try (InputStream in = body(req); OutputStream out = res.outputStream()) {
            if (service.equals(UPLOAD)) {
                UploadPack upload = new UploadPack(repo);
                upload.setBiDirectionalPipe(false);
                upload.upload(in, out, null);
            } else {
                ReceivePack receive = receivePack(app.get(), repo);
                receive.setBiDirectionalPipe(false);
                receive.receive(in, out, null);
            }
        }
    }

    private ReceivePack receivePack(String app, Repository repo) {
        ReceivePack receive = new ReceivePack(repo);
        receive.setCheckReceivedObjects(true);
        receive.setAllowDeletes(true);
        receive.setPreReceiveHook((rp, commands) -> onPush(app, rp, commands));
        return receive;
    }

    /** Deploys what is pushed to main; other branches are stored as they are. */
    private void onPush(String app, ReceivePack rp, Collection<ReceiveCommand> commands) {
        for (ReceiveCommand command : commands) {
            if (!command.getRefName().equals(MAIN)) {
                rp.sendMessage("nanolith: " + Repository.shortenRefName(command.getRefName()) + " is stored, not deployed — only main deploys");
                continue;
            }
            if (command.getType() == ReceiveCommand.Type.DELETE) {
                command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, "main cannot be deleted: it is what serves");
                continue;
            }
            deploy(app, rp, command);
        }
    }

    private void deploy(String app, ReceivePack rp, ReceiveCommand command) {
        String commit = command.getNewId().abbreviate(7).name();
        ReentrantLock lock = deployer.lock(app);
        lock.lock();
        try {
            long start = System.nanoTime();
            rp.sendMessage("nanolith: checking " + app + " at " + commit);
            Deployer.Candidate candidate;
            try {
                candidate = deployer.check(app, command.getNewId(), rp::sendMessage);
            } catch (LoadException e) {
                String serving = store.app(app).map(AppState::current).map(r -> "still serves " + r).orElse("serves nothing of it yet");
                rp.sendMessage("nanolith: " + app + " at " + commit + " was not deployed; production " + serving + ". Fix:");
                Check.fix(e).forEach(rp::sendMessage);
                command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, "deploy check failed");
                return;
            }
            // main moves first and production follows: a push that lost a race to another never serves.
            command.execute(rp);
            if (command.getResult() != ReceiveCommand.Result.OK) {
                candidate.deployment().retire();
                rp.sendMessage("nanolith: main could not be moved (" + command.getResult() + "); nothing was deployed — fetch and push again");
                return;
            }
            try {
                deployer.activate(app, candidate, start).forEach(rp::sendMessage);
            } catch (LoadException e) {
                Check.fix(e).forEach(rp::sendMessage);
            }
        } finally {
            lock.unlock();
        }
    }

    private Optional<String> app(ServerRequest req, ServerResponse res) {
        String repo = req.path().pathParameters().get("repo");
        String app = repo.endsWith(".git") ? repo.substring(0, repo.length() - 4) : repo;
        if (store.app(app).isEmpty()) {
            plain(res, Status.NOT_FOUND_404, "no app named '" + app + "' — create it with ./nanolith apps create " + app);
            return Optional.empty();
        }
        if (req.headers().first(HeaderNames.AUTHORIZATION).isEmpty()) {
            res.header(HeaderValues.create(HeaderNames.WWW_AUTHENTICATE, "Basic realm=\"nanolith app " + app + "\""));
            plain(res, Status.UNAUTHORIZED_401, "pushing and fetching '" + app + "' need its deploy token: use the remote URL"
                    + " http://deploy:TOKEN@host/git/" + app + ".git");
            return Optional.empty();
        }
        return Optional.of(app);
    }

    private boolean authorized(ServerRequest req, String app) {
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        String token = null;
        if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
                token = pair.substring(pair.indexOf(':') + 1);
            } catch (IllegalArgumentException e) {
                return false;
            }
        } else if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = header.substring(7).trim();
        }
        return store.authorizes(app, token);
    }

    private static InputStream body(ServerRequest req) throws IOException {
        InputStream in = req.content().inputStream();
        return req.headers().first(HeaderNames.CONTENT_ENCODING).filter("gzip"::equalsIgnoreCase).isPresent() ? new GZIPInputStream(in) : in;
    }

    private static void plain(ServerResponse res, Status status, String message) {
        res.status(status).header(HeaderValues.CONTENT_TYPE_TEXT_PLAIN).send(message + "\n");
    }
}
