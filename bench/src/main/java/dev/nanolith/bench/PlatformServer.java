package dev.nanolith.bench;

import dev.nanolith.cli.Platform;
import dev.nanolith.runtime.load.LoadException;

/**
 * The HTTP benchmark's subject: the whole platform, wired as {@code nanolith run} wires it,
 * with the {@code hot} app deployed. Usage: {@code PlatformServer [port]}; prints the URL of
 * {@code hot.echo}.
 */
public final class PlatformServer {

    private PlatformServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        Platform platform = Platform.start(Platform.Options.loopback(port));
        try {
            platform.deploy(Apps.dir("hot"));
        } catch (LoadException e) {
            platform.close();
            System.err.println("the bench app was not deployed:");
            e.problems().forEach(p -> System.err.println("  " + p));
            System.exit(1);
        }
        HelloServer.serveUntilStopped(platform.url() + "/fn/hot.echo", platform::close);
    }
}
