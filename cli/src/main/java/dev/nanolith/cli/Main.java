package dev.nanolith.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nanolith.deploy.Check;
import dev.nanolith.examples.psp.PaymentSimulator;
import dev.nanolith.deploy.Sandbox;
import dev.nanolith.gateway.GatewayConfig;
import dev.nanolith.runtime.config.AppConfig;
import dev.nanolith.runtime.config.Durations;
import dev.nanolith.runtime.config.FunctionConfig;
import dev.nanolith.runtime.load.LoadException;
import dev.nanolith.runtime.placement.Deployment;
import dev.nanolith.runtime.placement.Manifest;
import dev.nanolith.runtime.placement.Placement;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code nanolith} command. */
@Command(name = "nanolith", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Nanoservices in Java: write small functions, run right-sized services.",
        subcommands = {Main.Demo.class, Main.Run.class, Main.Init.class, Main.Test.class, Main.Dev.class, Main.Apps.class,
                Main.Revisions.class, Main.Rollback.class, Main.Keys.class,
                Main.Secrets.class, Main.ActivationsCommand.class, Main.AuditCommand.class, Main.PlanCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    /** The platform's version, as its build recorded it. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"nanolith " + Scaffold.version()};
        }
    }

    /** How finely apps are split into processes, for the commands that serve them. */
    static final class PlacementOption {
        @Option(names = "--placement", description = "How apps are split into processes: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE});"
                + " services as nanolith.yaml's services: say, nano one process per function.", defaultValue = "monolith")
        Placement.Mode mode;
    }

    /** Where the launcher was started from: examples are found relative to it. */
    static Path home() {
        return Path.of(System.getProperty("nanolith.home", ".")).toAbsolutePath().normalize();
    }

    /** The data directory option, shared by every command that talks to a platform. */
    static final class Data {
        @Option(names = "--data", description = "Data directory: apps, repositories, revisions (default: $NANOLITH_DATA or ~/.nanolith).")
        Path dir;

        Path dir() {
            if (dir != null) {
                return dir.toAbsolutePath();
            }
            String env = System.getenv("NANOLITH_DATA");
            return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".nanolith");
        }

        AdminClient admin() throws AdminClient.Failure {
            return AdminClient.of(dir());
        }
    }

    /** The working copy of an app, for the commands that check or serve one before it is pushed. */
    static final class WorkingCopy {
        @Parameters(paramLabel = "DIR", description = "The app's directory: nanolith.yaml, src/main/java, src/test/java.")
        Path dir;

        /** Whether the directory exists; says what is wrong when it does not. */
        boolean exists() {
            if (Files.isDirectory(dir)) {
                return true;
            }
            System.err.println("nanolith: " + dir + " is not a directory — give the directory of an app");
            return false;
        }
    }

    /** Options shared by the commands that start a platform. */
    static final class Server {
        @Option(names = "--port", description = "Gateway port (default: ${DEFAULT-VALUE}; 0 picks a free one).", defaultValue = "8080")
        int port;

        @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}).", defaultValue = "127.0.0.1")
        String host;

        @Option(names = "--max-body", description = "Largest request body in bytes (default: ${DEFAULT-VALUE}).", defaultValue = "1048576")
        int maxBody;

        @CommandLine.Mixin
        PlacementOption placement;

        @Option(names = "--sandbox", description = "Whether app code may run without its OS sandbox (bubblewrap) where that is missing:"
                + " ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}; auto says so at start and in /health).", defaultValue = "auto")
        Sandbox.Policy sandbox;

        @Option(names = "--check-timeout", description = "How long the check of one push may take, such as 90s or 5m (default: ${DEFAULT-VALUE}).",
                defaultValue = "2m", converter = DurationConverter.class)
        Duration checkTimeout;

        @CommandLine.Mixin
        Data data;

        Platform.Options options() {
            return new Platform.Options(new GatewayConfig(host, port, maxBody), Platform.Options.DEFAULT_TIMEOUT, Map.of(), data.dir())
                    .placed(placement.mode).sandboxed(sandbox).checkedWithin(checkTimeout);
        }
    }

    /** A duration as nanolith.yaml writes one: {@code 300ms}, {@code 90s}, {@code 5m}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Durations.parse(value);
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
                Runnable afterClose = () -> { };
                if (options.placement() != Placement.Mode.MONOLITH) {
                    // Workers see no file of the machine's but their own: the shop's services share a database server on loopback.
                    Path db = Files.createTempDirectory("nanolith-shop-");
                    org.h2.tools.Server database = org.h2.tools.Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir",
                            db.toString()).start();
                    options = options.with(Map.of("SHOP_DB_URL", "jdbc:h2:tcp://127.0.0.1:" + database.getPort() + "/shop;DB_CLOSE_DELAY=-1"));
                    afterClose = () -> {
                        database.stop();
                        Platform.delete(db);
                    };
                }
                return serve(options, List.of(shop), "payment processor (simulated): " + psp.url()
                        + "\n  make it misbehave: curl -s -X POST " + psp.url() + "/control -d '{\"mode\":\"rate-limit\"}'", afterClose);
            }
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Starts the platform: every app pushed to it serves its current revision, and the apps in the given directories are deployed too.")
    static final class Run implements Callable<Integer> {
        @CommandLine.Mixin
        Server server;

        @Parameters(arity = "0..*", paramLabel = "APP_DIR", description = "Directories of apps: nanolith.yaml and src/main/java.")
        List<Path> apps = List.of();

        @Override
        public Integer call() throws Exception {
            return serve(server.options(), apps, null, () -> { });
        }
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Writes a new app (one function, one test, nanolith.yaml, a Maven pom.xml for IDEs and mvn test) and prints the"
                    + " git lines that deploy it.")
    static final class Init implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "The new app's directory.")
        Path dir;

        @Option(names = "--app", description = "The app's name (default: the directory's name).")
        String app;

        @CommandLine.Mixin
        Data data;

        @Override
        public Integer call() throws IOException {
            String name = app != null ? app : dir.toAbsolutePath().normalize().getFileName().toString();
            if (!name.matches("[a-z][a-z0-9-]*")) {
                System.err.println("nanolith: '" + name + "' is not a valid app name — use lower-case letters, digits and dashes (or give --app)");
                return 2;
            }
            try {
                Scaffold.write(dir, name).keySet().forEach(f -> System.out.println("  wrote " + dir.resolve(f)));
            } catch (IOException e) {
                System.err.println("nanolith: " + e.getMessage());
                return 1;
            }
            String remote;
            String url;
            try {
                AdminClient admin = data.admin();
                JsonNode created = admin.post("/apps", "{\"name\":" + AdminClient.quote(name) + "}");
                remote = created.path("remote").asText();
                url = admin.url();
                System.out.println("Created app '" + name + "' on " + url + ". Its deploy token is in the remote URL below, shown only now.");
            } catch (AdminClient.Failure e) {
                System.out.println("Could not create app '" + name + "' on a running platform (" + e.getMessage() + ").");
                System.out.println("Start one with ./nanolith run, then ./nanolith apps create " + name + " prints the remote URL.");
                remote = "http://deploy:TOKEN@127.0.0.1:8080/git/" + name + ".git";
                url = "http://127.0.0.1:8080";
            }
            String pkg = name.replace("-", "");
            System.out.println("Deploy it:");
            System.out.println("  cd " + dir);
            System.out.println("  git init -q -b main && git add . && git commit -q -m \"First function\"");
            System.out.println("  git remote add nanolith " + remote);
            System.out.println("  git push nanolith main");
            System.out.println("Then call it:");
            System.out.println("  curl -s " + url + "/fn/" + pkg + ".greet -H 'Content-Type: application/json' -d '{\"name\":\"Ada\"}'");
            System.out.println("Before a push, ./nanolith test " + dir + " runs the checks a push runs, and ./nanolith dev " + dir
                    + " serves the app and redeploys it on every change; mvn test in " + dir + " runs its tests, and pom.xml opens in an IDE.");
            return 0;
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = "Checks an app's working directory as a push to main is checked (nanolith.yaml, compile and load, the"
                    + " app's tests, the start of every function, its workers) on a platform of its own, and prints the same report;"
                    + " exit code 1 when a push would be refused.")
    static final class Test implements Callable<Integer> {
        @CommandLine.Mixin
        WorkingCopy app;

        @CommandLine.Mixin
        PlacementOption placement;

        @Override
        public Integer call() throws InterruptedException {
            Path dir = app.dir;
            if (!app.exists()) {
                return 2;
            }
            System.out.println("nanolith: checking " + dir.toAbsolutePath().normalize());
            // The report is the output; the HTTP server's start-up lines would only be in the way.
            Logger server = Logger.getLogger("io.helidon");
            server.setLevel(Level.WARNING);
            // A platform of its own, on a free port and a temporary data directory, composed as every platform is.
            try (Platform platform = Platform.start(Platform.Options.loopback(0).placed(placement.mode))) {
                Deployment passed = platform.check(dir, System.out::println).deployment();
                System.out.println("nanolith: " + passed.app() + " passes every check of a push");
                // Its workers end before this process does.
                passed.retire().join();
                return 0;
            } catch (LoadException e) {
                System.out.println("nanolith: a push of " + dir.toAbsolutePath().normalize().getFileName() + " would be refused. Fix:");
                Check.fix(e).forEach(System.out::println);
                return 1;
            }
        }
    }

    @Command(name = "dev", mixinStandardHelpOptions = true,
            description = "Serves an app's working directory and, whenever one of its files changes, checks it as a push is checked"
                    + " and serves the new revision if it passes; the last good revision serves meanwhile.")
    static final class Dev implements Callable<Integer> {
        @CommandLine.Mixin
        WorkingCopy app;

        @Option(names = "--port", description = "Gateway port (default: ${DEFAULT-VALUE}; 0 picks a free one).", defaultValue = "8080")
        int port;

        @CommandLine.Mixin
        PlacementOption placement;

        @Override
        public Integer call() throws Exception {
            Path dir = app.dir;
            if (!app.exists()) {
                return 2;
            }
            // A platform of its own, on a temporary data directory: nothing pushed is served, nothing of this is kept.
            Platform.Options options = new Platform.Options(GatewayConfig.loopback(port), Platform.Options.DEFAULT_TIMEOUT, Map.of(), null)
                    .placed(placement.mode);
            Platform platform;
            try {
                platform = Platform.start(options);
            } catch (RuntimeException e) {
                System.err.println(cannotStart(options, e));
                return 1;
            }
            CountDownLatch closed = new CountDownLatch(1);
            Thread stop = stopper(closed, new AtomicBoolean());
            try (platform; DevLoop loop = new DevLoop(platform, dir, System.out)) {
                System.out.println("nanolith dev: serving " + dir + " on " + platform.url()
                        + "; every change is checked as a push is, and served when it passes (Ctrl-C stops)");
                Runtime.getRuntime().addShutdownHook(stop);
                loop.run();
            } catch (InterruptedException e) {
                // stopped
            } finally {
                closed.countDown();
            }
            return 0;
        }
    }

    @Command(name = "apps", mixinStandardHelpOptions = true, description = "Lists apps, creates one, or gives one a new deploy token.",
            subcommands = {Apps.Create.class, Apps.Token.class})
    static final class Apps implements Callable<Integer> {
        @CommandLine.Mixin
        Data data;

        @Override
        public Integer call() {
            return admin(() -> {
                for (JsonNode app : data.admin().get("/apps")) {
                    System.out.printf("%-20s %-6s %3d revisions  %s%n", app.path("app").asText(), app.path("current").asText("-"),
                            app.path("revisions").asInt(), app.path("git").asText());
                }
            });
        }

        @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates an app: its git repository and its deploy token.")
        static final class Create implements Callable<Integer> {
            @Parameters(paramLabel = "NAME")
            String name;

            @CommandLine.Mixin
            Data data;

            @Override
            public Integer call() {
                return admin(() -> {
                    JsonNode created = data.admin().post("/apps", "{\"name\":" + AdminClient.quote(name) + "}");
                    System.out.println("Created app '" + name + "'. Its deploy token (shown only now): " + created.path("token").asText());
                    System.out.println("  git remote add nanolith " + created.path("remote").asText());
                    System.out.println("  git push nanolith main");
                });
            }
        }

        @Command(name = "token", mixinStandardHelpOptions = true, description = "Gives an app a new deploy token; the old one stops working.")
        static final class Token implements Callable<Integer> {
            @Parameters(paramLabel = "APP")
            String app;

            @CommandLine.Mixin
            Data data;

            @Override
            public Integer call() {
                return admin(() -> {
                    JsonNode token = data.admin().post("/apps/" + app + "/token", "{}");
                    System.out.println("New deploy token of '" + app + "' (shown only now): " + token.path("token").asText());
                    System.out.println("  git remote set-url nanolith " + token.path("remote").asText());
                });
            }
        }
    }

    @Command(name = "keys", mixinStandardHelpOptions = true, description = "Lists the API keys callers send for functions whose access is key;"
            + " makes or revokes one.", subcommands = {Keys.Create.class, Keys.Revoke.class, Keys.ListKeys.class})
    static final class Keys implements Callable<Integer> {
        @CommandLine.Mixin
        Data data;

        @Override
        public Integer call() {
            return list(data);
        }

        static int list(Data data) {
            return admin(() -> {
                for (JsonNode key : data.admin().get("/keys")) {
                    List<String> scopes = new java.util.ArrayList<>();
                    key.path("scopes").forEach(scope -> scopes.add(scope.asText()));
                    System.out.printf("%-20s %-30s created %s, %s%s%n", key.path("name").asText(), String.join(",", scopes),
                            key.path("created").asText(), key.path("expires").isNull() ? "never expires" : "expires " + key.path("expires").asText(),
                            key.path("rate-limit").isNull() ? "" : ", at most " + key.path("rate-limit").asText());
                }
            });
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the API keys: names, scopes, expiry (never the keys).")
        static final class ListKeys implements Callable<Integer> {
            @CommandLine.Mixin
            Data data;

            @Override
            public Integer call() {
                return list(data);
            }
        }

        @Command(name = "create", mixinStandardHelpOptions = true, description = "Makes an API key; it is shown once.")
        static final class Create implements Callable<Integer> {
            @Parameters(paramLabel = "NAME", description = "Who holds it: what the functions it calls see as ctx.caller().principal().")
            String name;

            @Option(names = "--scopes", required = true, split = ",", paramLabel = "GLOB",
                    description = "The functions it may call: names or globs such as reporting.*, separated by commas.")
            List<String> scopes;

            @Option(names = "--expires", paramLabel = "DURATION", description = "How long it works, such as 12h or 30d (default: until revoked).")
            String expires;

            @Option(names = "--rate-limit", paramLabel = "N/PERIOD", description = "How many calls it may make, such as 100/s, 600/m or 1000/h"
                    + " (default: no limit).")
            String rateLimit;

            @CommandLine.Mixin
            Data data;

            @Override
            public Integer call() {
                return admin(() -> {
                    ObjectNode body = AdminClient.object().put("name", name).put("expires", expires).put("rate-limit", rateLimit);
                    scopes.forEach(body.putArray("scopes")::add);
                    JsonNode created = data.admin().post("/keys", body.toString());
                    System.out.println("Created key '" + name + "' (shown only now): " + created.path("key").asText());
                    System.out.println("  curl -H 'Authorization: Bearer " + created.path("key").asText() + "' ...");
                });
            }
        }

        @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revokes an API key: the next call that sends it is refused.")
        static final class Revoke implements Callable<Integer> {
            @Parameters(paramLabel = "NAME")
            String name;

            @CommandLine.Mixin
            Data data;

            @Override
            public Integer call() {
                return admin(() -> {
                    data.admin().delete("/keys/" + name);
                    System.out.println("Revoked key '" + name + "'.");
                });
            }
        }
    }

    @Command(name = "secrets", mixinStandardHelpOptions = true, description = "Sets, lists (names only) or removes the secrets of an app,"
            + " kept encrypted in the data directory.", subcommands = {Secrets.Set.class, Secrets.ListSecrets.class, Secrets.Remove.class})
    static final class Secrets {

        /** The largest value the platform takes, in bytes. */
        private static final int MAX_BYTES = dev.nanolith.deploy.Secrets.MAX_BYTES;

        /**
         * The admin API's path of an app's secret, or of its secrets when {@code name} is null:
         * names that are not valid are refused here, before they could make another path.
         */
        static String path(String app, String name) throws AdminClient.Failure {
            if (!AppConfig.APP_NAME.matcher(app).matches()) {
                throw new AdminClient.Failure(AppConfig.notAnAppName(app));
            }
            if (name != null && !FunctionConfig.SECRET_NAME.matcher(name).matches()) {
                throw new AdminClient.Failure(FunctionConfig.notASecretName(name));
            }
            return "/apps/" + app + "/secrets" + (name == null ? "" : "/" + name);
        }

        @Command(name = "set", mixinStandardHelpOptions = true, description = {"Sets a secret of an app to what standard input gives"
                + " (typed, unseen, at a terminal; one trailing newline is dropped): never on the command line, where other users'"
                + " ps and the shell's history would see it.", "The running workers whose functions declare it have it before this ends;"
                + " no push is needed.", "  ./nanolith secrets set shop PSP_API_KEY < psp-key.txt"})
        static final class Set implements Callable<Integer> {
            @Parameters(index = "0", paramLabel = "APP", description = "The app, deployed or not yet.")
            String app;

            @Parameters(index = "1", paramLabel = "NAME", description = "The secret, as functions.<name>.secrets in nanolith.yaml names it.")
            String name;

            @CommandLine.Mixin
            Data data;

            /** Where the value comes from: standard input, unless a test gives another. */
            InputStream in = System.in;

            @Override
            public Integer call() {
                return admin(() -> {
                    String path = path(app, name);
                    JsonNode set = data.admin().put(path, value());
                    int workers = set.path("workers").asInt();
                    System.out.println("Set secret " + name + " of '" + app + "'" + (workers == 0 ? "; no running worker declares it."
                            : "; " + workers + (workers == 1 ? " running worker has" : " running workers have") + " the new value."));
                });
            }

            /** The value: typed at a terminal, or standard input as it is, less one trailing newline; UTF-8 text only. */
            private String value() throws AdminClient.Failure {
                Console console = System.console();
                if (in == System.in && console != null && terminal(console)) {
                    char[] typed = console.readPassword("Value of %s for %s (not shown): ", name, app);
                    return typed == null ? "" : new String(typed);
                }
                byte[] bytes;
                try {
                    bytes = in.readNBytes(MAX_BYTES + 3);
                } catch (IOException e) {
                    throw new AdminClient.Failure("cannot read the value from standard input: " + e.getMessage());
                }
                if (bytes.length > MAX_BYTES + 2) {
                    throw new AdminClient.Failure("the value of a secret may take at most " + MAX_BYTES + " bytes");
                }
                try {
                    return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString().replaceFirst("\\r?\\n\\z", "");
                } catch (CharacterCodingException e) {
                    throw new AdminClient.Failure("the value on standard input is not UTF-8 text — a secret is text: give a binary one"
                            + " encoded, as base64 -w0 does");
                }
            }

            /**
             * Whether a person types at the console: {@code Console.isTerminal()} from JDK 22, where a
             * console exists even for a pipe; on JDK 21 a console exists only for a terminal.
             */
            private static boolean terminal(Console console) {
                try {
                    return (boolean) Console.class.getMethod("isTerminal").invoke(console);
                } catch (ReflectiveOperationException e) {
                    return true;
                }
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the secrets of an app: names and when each was set,"
                + " never a value.")
        static final class ListSecrets implements Callable<Integer> {
            @Parameters(paramLabel = "APP")
            String app;

            @CommandLine.Mixin
            Data data;

            @Override
            public Integer call() {
                return admin(() -> {
                    for (JsonNode secret : data.admin().get(path(app, null))) {
                        System.out.printf("%-30s set %s%n", secret.path("name").asText(), secret.path("updated").asText());
                    }
                });
            }
        }

        @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes a secret of an app; the running workers whose"
                + " functions declare it lose it (or take the platform's setting of that name, if it has one).")
        static final class Remove implements Callable<Integer> {
            @Parameters(index = "0", paramLabel = "APP")
            String app;

            @Parameters(index = "1", paramLabel = "NAME")
            String name;

            @CommandLine.Mixin
            Data data;

            @Override
            public Integer call() {
                return admin(() -> {
                    int workers = data.admin().delete(path(app, name)).path("workers").asInt();
                    System.out.println("Removed secret " + name + " of '" + app + "'" + (workers == 0 ? "." : "; " + workers
                            + (workers == 1 ? " running worker no longer has it." : " running workers no longer have it.")));
                });
            }
        }
    }

    @Command(name = "revisions", mixinStandardHelpOptions = true, description = "Lists an app's revisions, newest first.")
    static final class Revisions implements Callable<Integer> {
        @Parameters(paramLabel = "APP")
        String app;

        @CommandLine.Mixin
        Data data;

        @Override
        public Integer call() {
            return admin(() -> {
                List<JsonNode> all = new java.util.ArrayList<>();
                data.admin().get("/apps/" + app + "/revisions").forEach(all::add);
                for (JsonNode r : all.reversed()) {
                    String origin = r.path("origin").asText("push");
                    System.out.printf("%s %-5s %.7s  %-20s  %s  %s%s%n", r.path("current").asBoolean() ? "*" : " ", r.path("id").asText(),
                            r.path("commit").asText(), r.path("time").asText(), r.path("author").asText(), r.path("message").asText(),
                            origin.equals("push") ? "" : "  (" + origin + ")");
                }
            });
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true, description = "Serves an earlier revision of an app again.")
    static final class Rollback implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "REVISION", description = "Such as r3 (see: nanolith revisions APP).")
        String revision;

        @CommandLine.Mixin
        Data data;

        @Override
        public Integer call() {
            return admin(() -> {
                JsonNode done = data.admin().post("/apps/" + app + "/rollback", "{\"revision\":" + AdminClient.quote(revision) + "}");
                System.out.printf("%s serves %s (%.7s) again, switched in %d ms%n", app, done.path("current").asText(),
                        done.path("commit").asText(), done.path("millis").asLong());
            });
        }
    }

    @Command(name = "activations", mixinStandardHelpOptions = true, description = {"Lists the latest calls (activation records), the newest"
            + " first, or shows one whole with the lines its function logged.",
            "Statuses: success, refused, function-error, platform-error, timeout, denied."})
    static final class ActivationsCommand implements Callable<Integer> {
        @Parameters(arity = "0..1", paramLabel = "ID", description = "An activation's id (its span id): shows that one.")
        String id;

        @Option(names = "--app", description = "Only this app's.")
        String app;

        @Option(names = "--function", description = "Only this function's.")
        String function;

        @Option(names = "--status", description = "Only calls that ended so.")
        String status;

        @Option(names = "--since", description = "Only calls since then: an instant (2026-11-30T10:00:00Z) or a time back (15m).")
        String since;

        @Option(names = "--trace", description = "Only the calls of this trace (32 hex digits): one operation.")
        String trace;

        @Option(names = "--limit", description = "At most this many (1 to 1000; default 50).")
        Integer limit;

        @Option(names = "--json", description = "Prints the records as the admin API gives them.")
        boolean json;

        @CommandLine.Mixin
        Data data;

        @Override
        public Integer call() {
            return admin(() -> {
                if (id != null) {
                    JsonNode a = data.admin().get("/activations/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
                    if (json) {
                        System.out.println(a.toPrettyString());
                        return;
                    }
                    a.properties().forEach(field -> {
                        if (!field.getKey().equals("logs")) {
                            System.out.printf("%-14s %s%n", field.getKey(), field.getValue().asText());
                        }
                    });
                    System.out.println("logs:");
                    a.path("logs").forEach(line -> System.out.println("  " + line.asText()));
                    return;
                }
                StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
                Map<String, Object> criteria = new LinkedHashMap<>();
                criteria.put("app", app);
                criteria.put("function", function);
                criteria.put("status", status);
                criteria.put("since", since);
                criteria.put("trace", trace);
                criteria.put("limit", limit);
                criteria.forEach((name, value) -> {
                    if (value != null) {
                        query.add(name + "=" + URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
                    }
                });
                JsonNode found = data.admin().get("/activations" + query).path("activations");
                if (json) {
                    System.out.println(found.toPrettyString());
                    return;
                }
                if (found.isEmpty()) {
                    System.out.println("No activation found" + (query.length() == 0 ? "" : " for " + query.toString().substring(1)) + ".");
                    return;
                }
                System.out.printf("%-27s  %-14s  %11s  %-16s  %-32s  %-28s  %s%n", "START", "STATUS", "DURATION", "ID", "TRACE", "FUNCTION",
                        "CALLER");
                for (JsonNode a : found) {
                    System.out.printf("%-27s  %-14s  %8.3f ms  %-16s  %-32s  %-28s  %s%n", a.path("start").asText(), a.path("status").asText(),
                            a.path("durationNanos").asLong() / 1e6, a.path("id").asText(), a.path("traceId").asText(),
                            a.path("app").asText() + "/" + a.path("function").asText(), a.path("caller").asText());
                }
            });
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true, description = {"Audits the granularity of an app as it runs: its services,"
            + " its operations measured from their traces (calls, remote hops, depth, fan-out, services depended on), and what the"
            + " guidelines flag, each finding with its evidence and one action."})
    static final class AuditCommand implements Callable<Integer> {
        @Parameters(paramLabel = "APP")
        String app;

        @Option(names = "--json", description = "Prints the audit as the admin API gives it.")
        boolean json;

        @Option(names = "--since", paramLabel = "WHEN", description = "Reads the traffic since then: an instant, or a duration back such as 15m.")
        String since;

        @CommandLine.Mixin
        Data data;

        @Override
        public Integer call() {
            return admin(() -> {
                JsonNode audit = data.admin().get("/apps/" + URLEncoder.encode(app, StandardCharsets.UTF_8) + "/audit"
                        + (since == null ? "" : "?since=" + URLEncoder.encode(since, StandardCharsets.UTF_8)));
                if (json) {
                    System.out.println(audit.toPrettyString());
                    return;
                }
                System.out.printf("%s %s: %s, %s, from %s%n", audit.path("app").asText(), audit.path("revision").asText(),
                        count(audit.path("services").size(), "service"), count(audit.path("operations").size(), "operation"),
                        count(audit.path("traces").asInt(), "trace"));
                System.out.printf("%n%-34s %7s %6s %6s %6s %6s %8s %10s %9s %10s  %s%n", "OPERATION", "TRACES", "FAILED", "CALLS", "HOPS", "DEPTH",
                        "FAN-OUT", "P50 MS", "BETWEEN", "PLANNED", "DEPENDS ON");
                for (JsonNode op : audit.path("operations")) {
                    List<String> dependencies = new ArrayList<>();
                    op.path("dependencies").forEach(d -> dependencies.add(d.asText()));
                    System.out.printf("%-34s %7d %6d %6d %6d %6d %8d %10.2f %8.0f%% %10s  %s%n", op.path("entry").asText(), op.path("traces").asInt(),
                            op.path("failed").asInt(), op.path("calls").asInt(), op.path("remoteHops").asInt(), op.path("depth").asInt(), op.path("fanOut").asInt(),
                            op.path("millis").asDouble(), 100 * op.path("between").asDouble(),
                            op.path("predicted").isNumber() ? String.format("%.2f", op.path("predicted").asDouble()) : "-", String.join(", ", dependencies));
                }
                System.out.println("FAILED: traces whose entry did not succeed; the other figures are those of the traces that did."
                        + " BETWEEN: the share of an operation's time spent between processes. PLANNED: what the plan that placed this revision"
                        + " predicted, in ms.");
                System.out.println();
                if (audit.path("findings").isEmpty()) {
                    System.out.println("No finding: the guidelines flag nothing.");
                }
                for (JsonNode f : audit.path("findings")) {
                    System.out.printf("%s  %s: %s%n    → %s%n", f.path("kind").asText(), f.path("subject").asText(), f.path("evidence").asText(),
                            f.path("action").asText());
                }
                JsonNode cpu = audit.path("cpu");
                if (cpu.isObject()) {
                    System.out.printf("%nCPU over the traffic read (%.0f s%s): the app's %s %.2f of %d cores, the control plane %.2f, the whole host %.2f.%n",
                            cpu.path("seconds").asDouble(), cpu.path("partial").asBoolean() ? String.format(", %.0f%% of its time: the samples reach back"
                                    + " an hour, or to the control plane's start", 100 * cpu.path("coverage").asDouble()) : "", count(cpu.path("services").size(), "worker"),
                            cpu.path("workers").asDouble(), cpu.path("cores").asInt(), cpu.path("platform").asDouble(), cpu.path("host").asDouble());
                }
                System.out.printf("%n%-24s %9s %6s %6s  %-24s %-18s %s%n", "SERVICE", "FUNCTIONS", "CALLS", "CORES", "CALLED BY", "OWNERS",
                        "THE CHECKLIST'S NO");
                for (JsonNode s : audit.path("services")) {
                    List<String> callers = new ArrayList<>(), owners = new ArrayList<>(), no = new ArrayList<>();
                    s.path("callers").forEach(c -> callers.add(c.asText()));
                    s.path("owners").forEach(o -> owners.add(o.asText()));
                    s.path("checklist").forEach(a -> {
                        if (a.path("answer").asText().equals("no")) {
                            no.add(a.path("question").asText());
                        }
                    });
                    System.out.printf("%-24s %9d %6d %6s  %-24s %-18s %s%n", s.path("name").asText(), s.path("functions").size(),
                            s.path("calls").asInt(), s.path("cores").isNumber() ? String.format("%.3f", s.path("cores").asDouble()) : "-",
                            String.join(", ", callers), String.join(", ", owners), String.join(" ", no));
                }
            });
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true, description = {"Proposes where an app's functions should run, from its"
            + " measured traffic: steps that merge the services whose calls cost most, the biggest gain first; each operation's time and"
            + " remote hops now and predicted; and the callers: rules the traffic shows. --apply deploys it as a new revision of the"
            + " commit that serves (./nanolith rollback undoes it) and writes its services: to the branch nanolith/plan of the app's"
            + " repository."})
    static final class PlanCommand implements Callable<Integer> {
        @Parameters(paramLabel = "APP")
        String app;

        @Option(names = "--apply", description = "Deploys the plan as a new revision.")
        boolean apply;

        @Option(names = "--steps", paramLabel = "N", description = "Takes the first N steps only.")
        Integer steps;

        @Option(names = "--by-owner", description = "Keeps the functions of different owners (owner:) in different services.")
        boolean byOwner;

        @Option(names = "--max-functions", paramLabel = "N", description = "Puts at most N functions in one service.")
        Integer maxFunctions;

        @Option(names = "--since", paramLabel = "WHEN", description = "Reads the traffic since then: an instant, or a duration back such as 15m.")
        String since;

        @Option(names = "--json", description = "Prints the plan (with --apply, the deploy's answer) as the admin API gives it.")
        boolean json;

        @CommandLine.Mixin
        Data data;

        @Override
        public Integer call() {
            return admin(() -> {
                String path = "/apps/" + URLEncoder.encode(app, StandardCharsets.UTF_8) + "/plan?by-owner=" + byOwner
                        + (since == null ? "" : "&since=" + URLEncoder.encode(since, StandardCharsets.UTF_8))
                        + (steps == null ? "" : "&steps=" + steps) + (maxFunctions == null ? "" : "&max-functions=" + maxFunctions);
                // What is applied is the plan the platform makes when asked to apply it: the one printed.
                JsonNode done = apply ? data.admin().post(path, "") : null;
                JsonNode plan = apply ? done.path("plan") : data.admin().get(path);
                if (json) {
                    System.out.println((apply ? done : plan).toPrettyString());
                    return;
                }
                print(plan);
                if (apply) {
                    System.out.println();
                    done.path("lines").forEach(line -> System.out.println(line.asText()));
                }
            });
        }

        private static void print(JsonNode plan) {
            JsonNode model = plan.path("model");
            System.out.printf("%s: a plan from the traffic of %s%n%nModel: %s.%n", plan.path("app").asText(), plan.path("revision").asText(),
                    model.path("description").asText());
            System.out.println();
            if (plan.path("steps").isEmpty()) {
                System.out.println(plan.path("operations").isEmpty() ? "No step: no traffic of " + plan.path("revision").asText()
                        + " was read — call its functions first." : "No step: no call between processes is left that a merge the constraints allow"
                        + " could save.");
            }
            int n = 0;
            for (JsonNode step : plan.path("steps")) {
                System.out.printf("%2d. %-5s into %-14s saves %8.1f µs an operation  (%s)%n", ++n, step.path("kind").asText(), step.path("into").asText(),
                        step.path("savedMicros").asDouble(), step.path("why").asText());
            }
            System.out.printf("%n%-34s %7s %10s %6s %12s %6s%n", "OPERATION", "TRACES", "P50 MS", "HOPS", "PREDICTED MS", "HOPS");
            for (JsonNode op : plan.path("operations")) {
                System.out.printf("%-34s %7d %10.2f %6d %12.2f %6d%n", op.path("entry").asText(), op.path("traces").asInt(), op.path("millis").asDouble(),
                        op.path("hops").asInt(), op.path("predictedMillis").asDouble(), op.path("predictedHops").asInt());
            }
            System.out.println("\nservices:");
            java.util.Map<String, List<String>> services = new java.util.TreeMap<>();
            plan.path("placement").fields().forEachRemaining(e -> services.computeIfAbsent(e.getValue().asText(), s -> new ArrayList<>()).add(e.getKey()));
            services.forEach((service, functions) -> System.out.printf("  %s: [%s]%n", service, String.join(", ", functions)));
            System.out.println("\ncallers (who was seen calling each function):");
            plan.path("callers").fields().forEachRemaining(e -> {
                List<String> from = new ArrayList<>();
                e.getValue().forEach(f -> from.add(f.asText()));
                System.out.printf("  %s:%n    callers: [%s]%n", e.getKey(), String.join(", ", from));
            });
        }
    }

    /** {@code n} things, such as {@code 1 service} or {@code 3 services}. */
    private static String count(int n, String thing) {
        return n + " " + thing + (n == 1 ? "" : "s");
    }

    /** A command's work against the admin API. */
    @FunctionalInterface
    interface AdminWork {
        void run() throws AdminClient.Failure;
    }

    private static int admin(AdminWork work) {
        try {
            work.run();
            return 0;
        } catch (AdminClient.Failure e) {
            System.err.println("nanolith: " + e.getMessage());
            return 1;
        }
    }

    /**
     * A shutdown hook for a command whose own thread closes what it runs: at Ctrl-C the hook
     * interrupts that thread (the one calling this) and waits, at most 30 s, for {@code closed},
     * which the thread counts down once everything is closed — so a stop that comes during a check
     * or a deploy closes once, after it, never under it. (Not the thread's end: System.exit, after
     * it, waits for the hook.) It sets {@code stopping} first: what the interrupt breaks off is a
     * stop, not a failure to report.
     */
    private static Thread stopper(CountDownLatch closed, AtomicBoolean stopping) {
        Thread main = Thread.currentThread();
        return new Thread(() -> {
            stopping.set(true);
            main.interrupt();
            try {
                closed.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                // the JVM is ending either way
            }
        });
    }

    /** Serves until the process is stopped; {@code afterClose} runs once the platform has closed. */
    private static int serve(Platform.Options options, List<Path> apps, String note, Runnable afterClose) {
        for (Path app : apps) {
            if (!Files.isDirectory(app)) {
                System.err.println("nanolith: " + app + " is not a directory — give the directory of an app");
                afterClose.run();
                return 2;
            }
        }
        // Set before the platform starts: a stop as it restores pushed apps' workers or deploys these apps waits for this thread to close it.
        CountDownLatch closed = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        Thread stop = stopper(closed, stopping);
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            Platform platform;
            try {
                platform = Platform.starting(options);
            } catch (RuntimeException e) {
                // A start that fails leaves nothing behind; one a stop broke off is no failure.
                if (stopping.get()) {
                    return 0;
                }
                System.err.println(cannotStart(options, e));
                return 1;
            }
            try (platform) {
                for (Path app : apps) {
                    long start = System.nanoTime();
                    Deployment deployment;
                    try {
                        deployment = platform.deploy(app);
                    } catch (LoadException e) {
                        if (stopping.get()) {
                            return 0;
                        }
                        System.err.println("nanolith: " + app + " was not deployed:");
                        Check.fix(e).forEach(System.err::println);
                        return 1;
                    }
                    System.out.printf("deployed %s %s in %d ms:%n", deployment.app(), deployment.id(), (System.nanoTime() - start) / 1_000_000);
                    for (Manifest.Function fn : deployment.functions()) {
                        System.out.printf("  POST %s/fn/%s%n", platform.url(), fn.name());
                    }
                }
                platform.ready();
                System.out.println("Nanolith is serving on " + platform.url() + "  (GET /fn lists the functions; Ctrl-C stops)");
                System.out.println("  data: " + platform.dataDir() + "  (./nanolith init DIR starts a new app)");
                System.out.println("  dashboard: " + platform.url() + "/ui  (log in with the token in " + platform.dataDir().resolve("admin-token")
                        + "); ./nanolith activations lists the latest calls");
                if (note != null) {
                    System.out.println("  " + note);
                }
                // The platform stops its workers (and every process it started) and drains its calls as this thread closes it.
                new CountDownLatch(1).await();
            }
            return 0;
        } catch (InterruptedException e) {
            return 0; // stopped
        } finally {
            // What runs after this (the demo's payment simulator's close) runs as at any stop, not broken off by the stop's interrupt.
            Thread.interrupted();
            afterClose.run();
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException e) {
                // the JVM is ending: the hook has what it waited for
            }
        }
    }

    /** Why a platform did not start, and what to do: another port when its own is taken. */
    private static String cannotStart(Platform.Options options, Throwable e) {
        if (e instanceof IllegalArgumentException setting) {
            // A setting that is not valid: its message names it, and says what it takes.
            return "nanolith: cannot start — " + setting.getMessage();
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return "nanolith: cannot start on " + options.gateway().host() + ":" + options.gateway().port() + " — " + root.getMessage()
                + (root instanceof BindException ? " (choose another port with --port)" : "");
    }
}
