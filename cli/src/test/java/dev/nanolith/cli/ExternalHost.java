package dev.nanolith.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP API outside the platform, on loopback, that answers as it is told: each request takes
 * the next scripted answer, or {@code 200 fine} when none is left (or always the one set by
 * {@link #always}); every request's method and {@code Idempotency-Key} are kept.
 */
final class ExternalHost implements AutoCloseable {

    /** One answer: its status, its {@code Retry-After} (null: none), and how long it takes to come. */
    record Answer(int status, String retryAfter, long delayMillis) {
        static Answer status(int status) {
            return new Answer(status, null, 0);
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Queue<Answer> script = new ConcurrentLinkedQueue<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile Answer always;

    private ExternalHost() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::answer);
        server.start();
    }

    static ExternalHost start() throws IOException {
        return new ExternalHost();
    }

    /** Its origin, such as {@code http://127.0.0.1:40123}. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers the next requests with {@code answers}, in order. */
    void script(Answer... answers) {
        script.addAll(List.of(answers));
    }

    /** Answers every request with {@code answer} (null: as scripted again). */
    void always(Answer answer) {
        always = answer;
    }

    /** Forgets what it was told: it answers {@code 200 fine} again. */
    void reset() {
        script.clear();
        always = null;
    }

    /** How many requests it received. */
    int received() {
        return requests.size();
    }

    /** The requests it received, each as {@code METHOD key} ({@code -} for no Idempotency-Key). */
    List<String> requests() {
        return List.copyOf(requests);
    }

    private void answer(HttpExchange exchange) throws IOException {
        requests.add(exchange.getRequestMethod() + " " + (exchange.getRequestHeaders().getFirst("Idempotency-Key") instanceof String key ? key : "-"));
        exchange.getRequestBody().readAllBytes();
        Answer answer = always != null ? always : script.poll();
        if (answer == null) {
            answer = Answer.status(200);
        }
        try {
            Thread.sleep(answer.delayMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (answer.retryAfter() != null) {
            exchange.getResponseHeaders().set("Retry-After", answer.retryAfter());
        }
        byte[] body = (answer.status() == 200 ? "fine" : "status " + answer.status()).getBytes(StandardCharsets.UTF_8);
        try (exchange) {
            exchange.sendResponseHeaders(answer.status(), body.length);
            exchange.getResponseBody().write(body);
        } catch (IOException e) {
            // the client gave up waiting
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
