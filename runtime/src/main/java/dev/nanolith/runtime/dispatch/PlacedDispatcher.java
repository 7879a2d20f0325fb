package dev.nanolith.runtime.dispatch;

import dev.nanolith.DeadlineExceededException;
import dev.nanolith.ServiceUnavailableException;
import dev.nanolith.runtime.Call;
import dev.nanolith.runtime.Dispatcher;
import dev.nanolith.runtime.FunctionSpec;
import dev.nanolith.runtime.Invoker;
import dev.nanolith.runtime.load.LoadException;
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
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Predicate;

/**
 * Runs each function where its placement puts it: in this process when it belongs to this
 * process's service, otherwise in its service's process, over {@link Wire} on loopback. The
 * caller's identity, remaining time and trace travel with the call; the callee's answer comes
 * back as the same value or the same exception a local call would give. Connections are kept
 * and reused, one per concurrent call; a caller interrupted at its deadline closes its own.
 */
public final class PlacedDispatcher implements Dispatcher, AutoCloseable {

    private final Predicate<FunctionSpec> local;
    private final Dispatcher here;
    private final Signature signature;
    private final Map<Endpoint, Deque<Connection>> idle = new ConcurrentHashMap<>();

    /**
     * @param local which functions run in this process
     * @param here  how they run here
     */
    public PlacedDispatcher(Predicate<FunctionSpec> local, Dispatcher here, Signature signature) {
        this.local = local;
        this.here = here;
        this.signature = signature;
    }

    @Override
    public Invoker invoker(FunctionSpec function) throws LoadException {
        return local.test(function) ? here.invoker(function) : (input, call) -> remote(function, input, call);
    }

    private Object remote(FunctionSpec function, Object input, Call call) {
        Endpoint endpoint = call.route().revision().endpoints().get(function.service());
        if (endpoint == null) {
            throw new ServiceUnavailableException(function.name(), function.service(), null);
        }
        long remaining = Math.max(1, Math.min(function.timeout().toMillis(), (call.deadline() - System.nanoTime()) / 1_000_000));
        Wire.Request request = new Wire.Request(function.name(), call.principal(), call.from(), remaining, call.trace(),
                call.route().writeInput(input));
        Deque<Connection> pool = idle.computeIfAbsent(endpoint, e -> new ConcurrentLinkedDeque<>());
        Connection connection;
        try {
            connection = take(pool, endpoint);
        } catch (IOException e) {
            throw new ServiceUnavailableException(function.name(), function.service(), e);
        }
        byte[] output;
        try {
            int sent = Wire.write(connection.out, request);
            call.transferred(sent, -1);
            output = Wire.readAnswer(connection.in, function);
            call.transferred(sent, Wire.answerBytes(output));
        } catch (IOException e) {
            connection.close();
            if (Thread.interrupted() || System.nanoTime() - call.deadline() >= 0) {
                throw new DeadlineExceededException(function.name(), function.timeout());
            }
            throw new ServiceUnavailableException(function.name(), function.service(), e);
        } catch (RuntimeException failure) {
            // The callee's failure, read whole: the connection is ready for the next call.
            pool.push(connection);
            throw failure;
        }
        // A connection interrupted at the deadline was closed by the interrupt; the next take() finds it closed.
        pool.push(connection);
        return call.route().readOutput(output);
    }

    /** An idle connection that is still open, or a new one. */
    private Connection take(Deque<Connection> pool, Endpoint endpoint) throws IOException {
        for (Connection c; (c = pool.poll()) != null; ) {
            if (c.open()) {
                return c;
            }
            c.close();
        }
        return new Connection(endpoint, signature);
    }

    /** Closes the idle connections to {@code endpoints}, whose processes have stopped or are stopping. */
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

    /** One connection to a service's process, used by one call at a time. */
    private static final class Connection {
        private final SocketChannel channel;
        private final DataOutputStream out;
        private final DataInputStream in;
        private final ByteBuffer probe = ByteBuffer.allocate(1);

        Connection(Endpoint endpoint, Signature signature) throws IOException {
            channel = SocketChannel.open(new InetSocketAddress(endpoint.host(), endpoint.wirePort()));
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
            in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel)));
            byte[] challenge = new byte[Wire.CHALLENGE_BYTES];
            in.readFully(challenge);
            out.write(signature.answer(challenge));
            out.flush();
            if (in.readByte() != Wire.ACCEPTED) {
                close();
                throw new IOException("the process at " + endpoint + " refused this platform's secret");
            }
        }

        /**
         * Whether the process at the other end still has this connection open: a process that
         * was restarted closed it, and a call sent on it would be lost.
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
