package dev.nanolith.cli;

import dev.nanolith.examples.psp.PaymentSimulator;
import dev.nanolith.gateway.GatewayConfig;
import dev.nanolith.runtime.Revision;
import dev.nanolith.runtime.Route;
import dev.nanolith.runtime.load.LoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code nanolith} command. */
@Command(name = "nanolith", mixinStandardHelpOptions = true, version = "nanolith 0.1.0",
        description = "Nanoservices in Java: write small functions, run right-sized services.",
        subcommands = {Main.Demo.class, Main.Run.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    /** Where the launcher was started from: examples are found relative to it. */
    static Path home() {
        return Path.of(System.getProperty("nanolith.home", ".")).toAbsolutePath().normalize();
    }

    /** Options shared by the commands that start a platform. */
    static final class Server {
        @Option(names = "--port", description = "Gateway port (default: ${DEFAULT-VALUE}; 0 picks a free one).", defaultValue = "8080")
        int port;

        @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}).", defaultValue = "127.0.0.1")
        String host;

        @Option(names = "--max-body", description = "Largest request body in bytes (default: ${DEFAULT-VALUE}).", defaultValue = "1048576")
        int maxBody;

        Platform.Options options() {
            return new Platform.Options(new GatewayConfig(host, port, maxBody), Platform.Options.DEFAULT_TIMEOUT, Map.of());
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Starts the platform with the example shop deployed on embedded defaults.")
    static final class Demo implements Callable<Integer> {
        @CommandLine.Mixin
        Server server;

        @Override
        public Integer call() throws Exception {
            Path shop = home().resolve("examples/shop");
            try (PaymentSimulator psp = PaymentSimulator.start("127.0.0.1", 0)) {
                Platform.Options options = server.options().with(Map.of("PSP_URL", psp.url(), "PSP_API_KEY", psp.apiKey()));
                return serve(options, List.of(shop), "payment processor (simulated): " + psp.url()
                        + "\n  make it misbehave: curl -s -X POST " + psp.url() + "/control -d '{\"mode\":\"rate-limit\"}'");
            }
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Starts the platform with the given apps deployed.")
    static final class Run implements Callable<Integer> {
        @CommandLine.Mixin
        Server server;

        @Parameters(arity = "1..*", paramLabel = "APP_DIR", description = "Directories of apps: nanolith.yaml and src/main/java.")
        List<Path> apps;

        @Override
        public Integer call() throws Exception {
            return serve(server.options(), apps, null);
        }
    }

    private static int serve(Platform.Options options, List<Path> apps, String note) throws InterruptedException {
        for (Path app : apps) {
            if (!Files.isDirectory(app)) {
                System.err.println("nanolith: " + app + " is not a directory — give the directory of an app");
                return 2;
            }
        }
        Platform platform;
        try {
            platform = Platform.start(options);
        } catch (RuntimeException e) {
            System.err.println("nanolith: cannot listen on " + options.gateway().host() + ":" + options.gateway().port()
                    + " — " + rootMessage(e) + " (choose another with --port)");
            return 1;
        }
        try (platform) {
            for (Path app : apps) {
                long start = System.nanoTime();
                Revision revision;
                try {
                    revision = platform.deploy(app);
                } catch (LoadException e) {
                    System.err.println("nanolith: " + app + " was not deployed:");
                    e.problems().forEach(p -> System.err.println("  " + p));
                    return 1;
                }
                System.out.printf("deployed %s %s in %d ms:%n", revision.app(), revision.id(), (System.nanoTime() - start) / 1_000_000);
                for (Route route : revision.routes()) {
                    System.out.printf("  POST %s/fn/%s%n", platform.url(), route.name());
                }
            }
            System.out.println("Nanolith is serving on " + platform.url() + "  (GET /fn lists the functions; Ctrl-C stops)");
            if (note != null) {
                System.out.println("  " + note);
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            stopped.await();
        }
        return 0;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }
}
