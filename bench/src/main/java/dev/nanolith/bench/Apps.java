package dev.nanolith.bench;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the benchmark apps under {@code bench/apps}, from wherever the benchmarks' classes were loaded. */
final class Apps {

    private Apps() {
    }

    /** The directory of the app {@code name}; {@code -Dnanolith.bench.apps} overrides where apps are looked for. */
    static Path dir(String name) {
        String override = System.getProperty("nanolith.bench.apps");
        if (override != null) {
            return Path.of(override, name).toAbsolutePath();
        }
        Path from;
        try {
            from = Path.of(Apps.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        // target/classes or target/lib/bench.jar: the module's root is a few levels up.
        for (Path dir = from; dir != null; dir = dir.getParent()) {
            Path app = dir.resolve("apps").resolve(name);
            if (Files.isRegularFile(app.resolve("nanolith.yaml"))) {
                return app;
            }
        }
        throw new IllegalStateException("no app '" + name + "' in an apps directory above " + from
                + " — run from a checkout, or set -Dnanolith.bench.apps=<dir of the apps>");
    }
}
