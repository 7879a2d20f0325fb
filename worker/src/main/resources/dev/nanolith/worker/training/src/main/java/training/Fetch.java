package training;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;

/** The request a function would send to an HTTP API, built and not sent. */
public final class Fetch implements Nano<String, Fetch.Request> {

    public record Request(String method, String host, String path, String version) {}

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @Override
    public Request apply(String path, Ctx ctx) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(ctx.config("url")).resolve(path)).timeout(ctx.remaining())
                .header("Accept", "application/json").GET().build();
        return new Request(request.method(), request.uri().getHost(), request.uri().getPath(), http.version().name());
    }
}
