package dev.nanolith.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The stock git binary, run in one working directory, with no user configuration of this machine. */
public final class GitClient {

    /** What a git command printed and how it ended. */
    public record Result(int exit, String output) {
        public boolean ok() {
            return exit == 0;
        }
    }

    private final Path dir;

    public GitClient(Path dir) {
        this.dir = dir;
    }

    public Result run(String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Ada Lovelace", "-c", "user.email=ada@example.com",
                "-c", "init.defaultBranch=main", "-c", "credential.helper=", "-c", "advice.detachedHead=false"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        try {
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("git " + String.join(" ", args) + " did not end");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new AssertionError("git cannot be run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs a command that must succeed, and returns its output. */
    public String ok(String... args) {
        Result r = run(args);
        if (!r.ok()) {
            throw new AssertionError("git " + String.join(" ", args) + " failed (" + r.exit() + "):\n" + r.output());
        }
        return r.output();
    }

    /** Stages everything, commits and pushes main to the remote; returns the push's result. */
    public Result commitAndPush(String message) {
        ok("add", "-A");
        ok("commit", "-q", "-m", message);
        return run("push", "origin", "main");
    }
}
