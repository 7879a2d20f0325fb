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
        return hosts.send(call, request, handler, null);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return sendAsync(request, handler, null);
    }

    /** Sends on a virtual thread of its own: its waits and retries block that thread, not the caller's. */
    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> push) {
        CompletableFuture<HttpResponse<T>> response = new CompletableFuture<>();
        Thread.ofVirtual().name("http " + call.function()).start(() -> {
            try {
                response.complete(hosts.send(call, request, handler, push));
            } catch (Throwable e) {
                response.completeExceptionally(e);
            }
        });
        return response;
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
