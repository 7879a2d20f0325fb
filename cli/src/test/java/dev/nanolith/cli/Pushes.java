package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Pushes an app's directory to a platform with the real git client, as a user would after {@code nanolith init}. */
final class Pushes {

    private Pushes() {
    }

    /**
     * Creates {@code app} on the platform unless {@code dir} is a repository already, then commits
     * everything in {@code dir} and pushes it to main.
     */
    static GitClient.Result push(Platform platform, Path dir, String app) {
        GitClient git = new GitClient(dir);
        if (!Files.isDirectory(dir.resolve(".git"))) {
            Http.Response created = new Http(platform.url()).send(HttpRequest.newBuilder(URI.create(platform.url() + "/admin/apps"))
                    .header("Authorization", "Bearer " + platform.adminToken()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + app + "\"}")));
            assertEquals(201, created.status(), created.body());
            git.ok("init", "-q");
            git.ok("remote", "add", "origin", created.json().path("remote").asText());
        }
        git.ok("add", "-A");
        git.ok("commit", "-q", "--allow-empty", "-m", "push");
        return git.run("push", "origin", "main");
    }

    /** The lines a refused push lists under its {@code Fix:} line, without git's {@code remote: } prefix. */
    static List<String> fixLines(String pushOutput) {
        // git pads the lines it relays from the server with spaces.
        List<String> lines = pushOutput.lines().map(String::stripTrailing).toList();
        int from = 0;
        while (from < lines.size() && !lines.get(from).endsWith(" Fix:")) {
            from++;
        }
        return lines.subList(Math.min(from + 1, lines.size()), lines.size()).stream().takeWhile(l -> l.startsWith("remote: "))
                .map(l -> l.substring("remote: ".length())).toList();
    }
}
