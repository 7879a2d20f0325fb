package dev.nanolith.runtime.dispatch;

import dev.nanolith.DeadlineExceededException;
import dev.nanolith.ServiceUnavailableException;
import dev.nanolith.runtime.Trace;
import dev.nanolith.runtime.observe.Activation;
import dev.nanolith.runtime.observe.Activations;
import dev.nanolith.runtime.placement.Deployment;
import dev.nanolith.runtime.placement.Endpoint;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls into workers over {@link Wire}: the control plane's gateway calls and a worker's calls
 * to functions placed in other workers. Connections are kept and reused, one per concurrent
 * call; a caller interrupted at its deadline closes its own (its channel is interruptible), so
 * the caller answers at its deadline whatever the callee does.
 */
public final class WireClient implements AutoCloseable {

    /** What one exchange carried, in bytes: the request's and the answer's. */
    @FunctionalInterface
    interface Transferred {
        void bytes(int sent, int received);
    }

    private final Identities identities;
    private final Map<Endpoint, Deque<Connection>> idle = new ConcurrentHashMap<>();

    /** @param identities who this process is, and the keys that prove it to the workers it calls */
    public WireClient(Identities identities) {
        this.identities = identities;
    }

    /**
     * Sends a client's JSON body to {@code function} in the worker at {@code endpoint}, which reads
     * it strictly (as the gateway would: bad input is named), and returns the output's JSON.
     *
     * @param app      the app of the worker: with {@code service}, who the worker is
     * @param deadline in {@link System#nanoTime()} terms
     * @throws dev.nanolith.NanoException or {@link dev.nanolith.RefusedException} or
     *         {@link dev.nanolith.runtime.MalformedJsonException}: what the call ended with in the
     *         worker, or {@link ServiceUnavailableException} when the worker cannot be reached
     */
    public byte[] forward(Endpoint endpoint, String app, String function, String service, Duration timeout, long deadline, String principal,
                          Trace trace, byte[] body) {
        return call(endpoint, Identities.of(app, service), new Wire.Request(Wire.CLIENT_CALL, function, principal, null, remaining(timeout, deadline), trace, body),
                service, timeout, deadline, (sent, received) -> { });
    }

    /** The metrics of the worker of {@code app}'s {@code service} at {@code endpoint}, in Prometheus' text format. */
    public String scrape(Endpoint endpoint, String app, String service) {
        byte[] text = call(endpoint, Identities.of(app, service), Wire.Request.SCRAPE_METRICS, "metrics", Duration.ofSeconds(5), System.nanoTime() + 5_000_000_000L,
                (sent, received) -> { });
        return new String(text, StandardCharsets.UTF_8);
    }

    /** The activation records of the calls the worker of {@code app}'s {@code service} at {@code endpoint} ran since it was last asked. */
    public List<Activation> activations(Endpoint endpoint, String app, String service) {
        return Activations.read(call(endpoint, Identities.of(app, service), Wire.Request.TAKE_ACTIVATIONS, "activations", Duration.ofSeconds(5),
                System.nanoTime() + 5_000_000_000L, (sent, received) -> { }));
    }

    /** A question for one worker: of {@code deployment}, hosting {@code service}, at {@code endpoint}. */
    @FunctionalInterface
    public interface Question<T> {
        T ask(Deployment deployment, String service, Endpoint endpoint);
    }

    /**
     * What {@code question} answers for every worker of {@code deployments}, asked all at once; a
     * worker that fails or does not answer within {@code within} is left out (restarting, or stuck:
     * it is asked again next time; its connection is closed by the interrupt).
     */
    public <T> List<T> askEvery(Collection<Deployment> deployments, Duration within, Question<T> question) {
        List<T> answered = new ArrayList<>();
        try (ExecutorService asking = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> asked = new ArrayList<>();
            for (Deployment deployment : deployments) {
                deployment.endpoints().forEach((service, endpoint) -> asked.add(asking.submit(() -> question.ask(deployment, service, endpoint))));
            }
            long deadline = System.nanoTime() + within.toNanos();
            for (Future<T> answer : asked) {
                try {
                    answered.add(answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (ExecutionException | TimeoutException e) {
                    answer.cancel(true);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    answer.cancel(true);
                }
            }
        }
        return answered;
    }

    /** The milliseconds left until {@code deadline}, at most the callee's own timeout, at least one. */
    static long remaining(Duration timeout, long deadline) {
        return Math.max(1, Math.min(timeout.toMillis(), (deadline - System.nanoTime()) / 1_000_000));
    }

    /** One request and its answer, on a pooled connection to the worker {@code callee}; a null endpoint is a worker that is down. */
    byte[] call(Endpoint endpoint, String callee, Wire.Request request, String service, Duration timeout, long deadline, Transferred transferred) {
        if (endpoint == null) {
            throw new ServiceUnavailableException(request.function(), service, false, null);
        }
        Deque<Connection> pool = idle.computeIfAbsent(endpoint, e -> new ConcurrentLinkedDeque<>());
        Connection connection;
        try {
            connection = take(pool, endpoint, callee);
        } catch (IOException e) {
            throw new ServiceUnavailableException(request.function(), service, false, e);
        }
        byte[] output;
        try {
            int sent = Wire.write(connection.out, request);
            transferred.bytes(sent, -1);
            output = Wire.readAnswer(connection.in, service);
            transferred.bytes(sent, Wire.answerBytes(output));
        } catch (IOException e) {
            connection.close();
            if (Thread.interrupted() || System.nanoTime() - deadline >= 0) {
                throw new DeadlineExceededException(request.function(), timeout);
            }
            // Written, maybe read and acted on: the outcome is unknown.
            throw new ServiceUnavailableException(request.function(), service, true, e);
        } catch (RuntimeException failure) {
            // The callee's failure, read whole: the connection is ready for the next call.
            pool.push(connection);
            throw failure;
        }
        // A connection interrupted at the deadline was closed by the interrupt; the next take() finds it closed.
        pool.push(connection);
        return output;
    }

    /** An idle connection that is still open, or a new one. */
    private Connection take(Deque<Connection> pool, Endpoint endpoint, String callee) throws IOException {
        for (Connection c; (c = pool.poll()) != null; ) {
            if (c.open()) {
                return c;
            }
            c.close();
        }
        return new Connection(endpoint, identities, callee);
    }

    /** Closes the idle connections to {@code endpoints}, whose workers have stopped or are stopping. */
    public void disconnect(Collection<Endpoint> endpoints) {
        endpoints.forEach(endpoint -> close(idle.remove(endpoint)));
    }

    /** Closes every idle connection. */
    @Override
    public void close() {
        disconnect(List.copyOf(idle.keySet()));
    }

    private static void close(Deque<Connection> pool) {
        if (pool != null) {
            for (Connection c; (c = pool.poll()) != null; ) {
                c.close();
            }
        }
    }

    /** One connection to a worker, used by one call at a time. */
    private static final class Connection {
        private final SocketChannel channel;
        private final DataOutputStream out;
        private final DataInputStream in;
        private final ByteBuffer probe = ByteBuffer.allocate(1);

        Connection(Endpoint endpoint, Identities identities, String callee) throws IOException {
            Signature key = identities.to(callee);
            if (key == null) {
                throw new IOException("this process was issued no key for the worker " + callee);
            }
            channel = SocketChannel.open(new InetSocketAddress(endpoint.host(), endpoint.port()));
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
            in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel)));
            byte[] challenge = new byte[Wire.CHALLENGE_BYTES];
            in.readFully(challenge);
            out.writeUTF(identities.self());
            out.write(key.answer(challenge));
            out.flush();
            if (in.readByte() != Wire.ACCEPTED) {
                close();
                throw new IOException("the worker at " + endpoint + " did not take this process as " + identities.self() + " calling " + callee);
            }
        }

        /**
         * Whether the worker at the other end still has this connection open: a worker that was
         * restarted closed it, and a call sent on it would be lost.
         */
        boolean open() {
            try {
                channel.configureBlocking(false);
                int read = channel.read(probe.clear());
                channel.configureBlocking(true);
                return read == 0;
            } catch (IOException e) {
                return false;
            }
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing a connection that already broke
            }
        }
    }
}
