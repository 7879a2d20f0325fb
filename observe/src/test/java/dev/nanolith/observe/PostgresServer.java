package dev.nanolith.observe;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for a test: a new cluster in a temporary folder, started with Debian's
 * {@code postgresql} package ({@code initdb}, {@code pg_ctl}), listening on a free port of
 * 127.0.0.1 only, trusting local connections, stopped and removed by {@link #close}. As root, it runs
 * as the package's {@code postgres} user: PostgreSQL refuses to run as root.
 */
public final class PostgresServer implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean root;

    private PostgresServer(Path bin, Path dir, int port, boolean root) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.root = root;
    }

    /**
     * Makes a cluster and starts it; fails naming what to install when PostgreSQL is missing. The
     * port is found free, then bound by the server: another process may take it between, so a start
     * that fails is tried again on another.
     */
    public static PostgresServer start() throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce();
            } catch (IOException e) {
                if (attempt == 3 || e.getMessage().startsWith("no PostgreSQL")) {
                    throw e;
                }
            }
        }
    }

    private static PostgresServer startOnce() throws IOException, InterruptedException {
        Path bin = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("nanolith-postgres-");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        PostgresServer server = new PostgresServer(bin, dir, port, root);
        try {
            if (root) {
                run(List.of("chown", "postgres:postgres", dir.toString()));
            }
            server.run("initdb", "-D", dir.resolve("data").toString(), "-U", "nanolith", "--auth=trust", "-E", "UTF8", "--no-sync");
            server.run("pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("log").toString(), "-w", "-t", "60",
                    "-o", "-c listen_addresses=127.0.0.1 -c port=" + port + " -c unix_socket_directories=" + dir + " -c fsync=off", "start");
        } catch (IOException | InterruptedException | RuntimeException e) {
            try {
                server.close();
            } catch (IOException | InterruptedException | RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        return server;
    }

    /** The newest PostgreSQL's programs that Debian's package installed. */
    private static Path binaries() throws IOException {
        Path versions = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(versions)) {
            try (Stream<Path> installed = Files.list(versions)) {
                Path newest = installed.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                        .max(Comparator.comparing(v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D", "0")))).orElse(null);
                if (newest != null) {
                    return newest.resolve("bin");
                }
            }
        }
        throw new IOException("no PostgreSQL server here: install Debian's postgresql package (apt-get install postgresql), as .ci/run does");
    }

    /** The JDBC URL of its {@code postgres} database. */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** The user it trusts. */
    public String user() {
        return "nanolith";
    }

    private void run(String program, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (root) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        run(command);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed:\n" + output);
        }
    }

    /** Stops the server at once and removes its cluster. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                run("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }
}
