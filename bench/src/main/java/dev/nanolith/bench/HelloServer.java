package dev.nanolith.bench;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * The HTTP benchmark's baseline: a bare Helidon SE server with the gateway's defaults whose
 * {@code POST /hello} reads the body and answers the same small JSON the echo function returns.
 * Usage: {@code HelloServer [port]} (0, the default, picks a free one); prints its URL.
 */
public final class HelloServer {

    static final byte[] HELLO = "{\"text\":\"hello\",\"n\":1}".getBytes(StandardCharsets.UTF_8);

    private HelloServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                .shutdownHook(false)
                .routing(routing -> routing.post("/hello", HelloServer::hello))
                .build()
                .start();
        serveUntilStopped("http://127.0.0.1:" + server.port() + "/hello", server::stop);
    }

    private static void hello(ServerRequest req, ServerResponse res) throws IOException {
        try (InputStream in = req.content().inputStream()) {
            in.readAllBytes();
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON).send(HELLO);
    }

    /** Prints the URL the load goes to, then blocks until the process is told to stop. */
    static void serveUntilStopped(String url, Runnable stop) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.run();
            stopped.countDown();
        }));
        System.out.println("listening on " + url);
        System.out.flush();
        stopped.await();
    }
}
