package dev.nanolith.runtime.external;

import dev.nanolith.runtime.Call;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The HTTP client a function holds during one call ({@code ctx.http()}): the process's JDK client,
 * whose requests go through their host's guard within the call's deadline. The process owns the
 * client it stands for: closing this one does nothing.
 */
final class HostClient extends HttpClient {

    private final Hosts hosts;
    private final Call call;
    private final HttpClient client;

    HostClient(Hosts hosts, Call call, HttpClient client) {
        this.hosts = hosts;
        this.call = call;
        this.client = client;
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        return hosts.send(call, client, request, handler, null);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return sendAsync(request, handler, null);
    }

    /**
     * Sends on a virtual thread of its own, whose waits and retries block it and not the caller.
     * Cancelling the answer, or the call's deadline, interrupts it, which ends the request as the
     * JDK's {@code send} ends one; a response that comes after is let go.
     */
    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> push) {
        CompletableFuture<HttpResponse<T>> answer = new CompletableFuture<>();
        Thread thread = Thread.ofVirtual().name("http " + call.function()).unstarted(() -> {
            try {
                HttpResponse<T> response = hosts.send(call, client, request, handler, push);
                if (!answer.complete(response) && response.body() instanceof AutoCloseable body) {
                    body.close();
                }
            } catch (Throwable e) {
                answer.completeExceptionally(e);
            }
        });
        // The JDK's request timeout ends with the response's headers; the deadline bounds the body as well.
        answer.orTimeout(Math.max(0, call.deadline() - System.nanoTime()), TimeUnit.NANOSECONDS)
                .whenComplete((response, failure) -> {
                    if (failure != null) {
                        thread.interrupt();
                    }
                });
        thread.start();
        return answer;
    }

    /** A WebSocket of the process's client, without the error handler: it is a connection, not a request. */
    @Override
    public WebSocket.Builder newWebSocketBuilder() {
        return client.newWebSocketBuilder();
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return client.cookieHandler();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return client.connectTimeout();
    }

    @Override
    public Redirect followRedirects() {
        return client.followRedirects();
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return client.proxy();
    }

    @Override
    public SSLContext sslContext() {
        return client.sslContext();
    }

    @Override
    public SSLParameters sslParameters() {
        return client.sslParameters();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return client.authenticator();
    }

    @Override
    public Version version() {
        return client.version();
    }

    @Override
    public Optional<Executor> executor() {
        return client.executor();
    }
}
