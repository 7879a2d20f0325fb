package dev.nanolith.runtime.dispatch;

import dev.nanolith.DeadlineExceededException;
import dev.nanolith.FunctionFailedException;
import dev.nanolith.NanoException;
import dev.nanolith.NoSuchFunctionException;
import dev.nanolith.RefusedException;
import dev.nanolith.runtime.Call;
import dev.nanolith.runtime.ErrorIds;
import dev.nanolith.runtime.MalformedJsonException;
import dev.nanolith.runtime.Revision;
import dev.nanolith.runtime.Route;
import dev.nanolith.runtime.deadline.Watchdog;
import dev.nanolith.runtime.observe.Activations;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Takes the calls of the platform's other processes — the gateway's, other workers' — into this
 * worker's functions over {@link Wire}, each within the deadline its caller sent, and the control
 * plane's requests for this worker's metrics and activation records. A platform thread per connection, not a virtual one:
 * a virtual thread's blocking read is handed to a poller thread and back, which doubled the cost of
 * a hop (bench/hop.sh), and connections are few — one per call in flight between two processes.
 */
public final class WireServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WireServer.class.getName());

    private final Revision revision;
    private final Supplier<String> metrics;
    private final Activations activations;
    private final Identities identities;
    private final Watchdog watchdog;
    private final ServerSocket server;
    private static final byte[] EMPTY = "[]".getBytes(StandardCharsets.UTF_8);

    private final SecureRandom random = new SecureRandom();
    /** The calls running now, by the thread that runs each. */
    private final Map<Thread, Running> running = new ConcurrentHashMap<>();

    /** A call running now: its function and its deadline, in {@link System#nanoTime()} terms. */
    private record Running(String function, long deadline) {
    }

    /**
     * Listens on a free port of the loopback address.
     *
     * @param metrics     this worker's metrics in Prometheus' text format
     * @param activations the calls of this worker that ended, kept as activation records until the control plane takes
     *                    them; null when it records none
     */
    public WireServer(Revision revision, Supplier<String> metrics, Activations activations, Identities identities, Watchdog watchdog)
            throws IOException {
        this.revision = revision;
        this.metrics = metrics;
        this.activations = activations;
        this.identities = identities;
        this.watchdog = watchdog;
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().name("nanolith-wire").daemon().start(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                Thread.ofPlatform().name("nanolith-wire-call").daemon().start(() -> serve(socket));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.log(System.Logger.Level.WARNING, "accepting a call connection failed: " + e.getMessage());
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket;
             DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()))) {
            String caller = handshake(in, out);
            if (caller == null) {
                return;
            }
            while (true) {
                Wire.Request request;
                try {
                    request = Wire.readRequest(in);
                } catch (EOFException e) {
                    return;
                }
                answer(request, caller, out);
            }
        } catch (IOException e) {
            // The caller went away (its deadline, its process ended): nothing to answer.
        }
    }

    /** Who connected, proven by the key issued for its connections to this worker; null: refused. */
    private String handshake(DataInputStream in, DataOutputStream out) throws IOException {
        byte[] challenge = new byte[Wire.CHALLENGE_BYTES];
        random.nextBytes(challenge);
        out.write(challenge);
        out.flush();
        String caller = in.readUTF();
        byte[] answer = new byte[Signature.BYTES];
        in.readFully(answer);
        Signature key = identities.from(caller);
        if (key == null || !key.verify(answer, challenge)) {
            LOG.log(System.Logger.Level.WARNING, "a connection as '" + caller + "' without its key was refused");
            return null;
        }
        out.writeByte(Wire.ACCEPTED);
        out.flush();
        return caller;
    }

    /**
     * Why a request cannot come from the process that connected as {@code connected}, or null: calls
     * from outside an app and reports come from the control plane only, and a call between functions
     * names a caller placed in the service that connected, or a library function it runs a copy of.
     */
    private String forged(Wire.Request request, String connected) {
        if (request.kind() != Wire.CALL || request.caller() == null) {
            return connected.equals(Identities.PLATFORM) ? null : "only the control plane calls a function from outside its app";
        }
        Route caller = revision.route(request.caller());
        boolean hosts = caller != null && java.util.stream.Stream.concat(java.util.stream.Stream.of(caller.spec().service()),
                caller.spec().copies().stream()).anyMatch(service -> connected.equals(Identities.of(revision.app(), service)));
        return hosts ? null : "'" + connected + "' named '" + request.caller() + "' as the caller, which it does not host";
    }

    private void answer(Wire.Request request, String connected, DataOutputStream out) throws IOException {
        String forged = forged(request, connected);
        if (forged != null) {
            LOG.log(System.Logger.Level.WARNING, "refused a call of '" + request.function() + "': " + forged);
            Wire.writeFailure(out, RefusedException.withStatus(403, "forged-caller", "the call of '" + request.function() + "' was refused: "
                    + forged));
            return;
        }
        if (request.kind() == Wire.SCRAPE) {
            Wire.writeOutput(out, metrics.get().getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (request.kind() == Wire.ACTIVATIONS) {
            Wire.writeOutput(out, activations == null ? EMPTY : activations.takeJson(Activations.TAKEN));
            return;
        }
        Route route = revision.route(request.function());
        if (route == null) {
            Wire.writeFailure(out, new NoSuchFunctionException(request.function()));
            return;
        }
        long deadline = System.nanoTime() + request.remainingMillis() * 1_000_000;
        // The caller's deadline holds here as it would in the caller's process: the call is interrupted when it passes.
        Watchdog.Alarm alarm = watchdog.arm(Thread.currentThread(), deadline);
        running.put(Thread.currentThread(), new Running(request.function(), deadline));
        byte[] output;
        RuntimeException failure = null;
        Call call = null;
        try {
            Object input = request.kind() == Wire.CLIENT_CALL ? route.readInput(request.input()) : route.readCarried(request.input());
            call = route.carried(request.principal(), request.caller(), deadline, request.trace(), request.input().length);
            output = route.writeOutput(route.callFrom(input, call));
            call.transferred(output.length, request.input().length);
        } catch (NanoException | RefusedException | MalformedJsonException e) {
            failure = e;
            output = null;
        } catch (RuntimeException | Error e) {
            String id = ErrorIds.next();
            LOG.log(System.Logger.Level.ERROR, "call of '" + request.function() + "' failed, error id " + id + ", trace " + request.trace(), e);
            if (call != null) {
                call.note("error id " + id + " — the worker's log has its stack trace");
            }
            failure = new FunctionFailedException(request.function(), id, e);
            output = null;
        } finally {
            running.remove(Thread.currentThread());
        }
        if (!alarm.disarm()) {
            failure = new DeadlineExceededException(request.function(), route.spec().timeout());
        }
        if (call != null && activations != null && call.status() != null) {
            // Kept with its answer's bytes, before the answer goes: whoever the answer reaches finds its record. The recorder
            // left a call from another process to this.
            activations.add(call);
        }
        if (failure != null) {
            Wire.writeFailure(out, failure);
        } else {
            Wire.writeOutput(out, output);
        }
    }

    /**
     * A call that runs on past its deadline by more than {@code grace} (its function ignores the
     * interruption), or null: its caller has had its answer, and the call holds a thread for nothing.
     */
    public String overdue(Duration grace) {
        long now = System.nanoTime();
        for (Running call : running.values()) {
            long late = now - call.deadline();
            if (late > grace.toNanos()) {
                return "'" + call.function() + "' runs " + late / 1_000_000 + " ms past its deadline";
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
