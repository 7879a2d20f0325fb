package dev.nanolith.examples.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nanolith.runtime.placement.Placement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The README's "try it" examples answer exactly as printed: each {@code ```console} block between
 * the README's demo-examples markers that calls the demo on {@code localhost:8080} is a curl
 * command and its output, run in order against a freshly started demo, with {@code $KEY} set to
 * the back office's API key that the README has the reader make. Console blocks for other ports,
 * or elsewhere in the README, belong to other examples.
 */
class ReadmeExamplesTest {

    static final Path README = Path.of("../../README.md");
    static final String DEMO = "localhost:8080";
    static final String START = "<!-- demo-examples -->";
    static final String END = "<!-- /demo-examples -->";

    /** One example: the command after {@code $ } and the lines it prints. */
    record Example(String command, List<String> output) {
    }

    /** In every placement: a failure, a refusal, a timeout read the same whatever process the function ran in. */
    @ParameterizedTest
    @EnumSource(Placement.Mode.class)
    void everyExampleAnswersAsPrinted(Placement.Mode placement) throws Exception {
        List<Example> examples = examples(section(Files.readString(README)));
        assertTrue(examples.size() >= 8, "expected the README's examples, found " + examples.size());
        assumeTrue(new ProcessBuilder("bash", "-c", "command -v curl").start().waitFor() == 0, "curl is not installed");

        // 22 workers on a small machine answer their first calls slowly, before their code is compiled: longer timeouts, which no
        // example prints, keep the first checkout from running out of time there.
        Map<String, String> patient = placement == Placement.Mode.NANO
                ? Map.of("SHOP_CHECKOUT_TIMEOUT", "60s", "SHOP_ORDER_TIMEOUT", "60s", "SHOP_PAYMENT_TIMEOUT", "30s") : Map.of();
        try (ShopServer shop = ShopServer.start("readme", patient, placement)) {
            Map<String, String> environment = Map.of("KEY", shop.createKey("back-office", "reporting.*", "notification.*"));
            for (Example example : examples) {
                String command = example.command().replace(DEMO, "127.0.0.1:" + shop.platform.port());
                assertEquals(String.join("\n", example.output()), run(command, environment), () -> "$ " + example.command());
            }
        }
    }

    /** The text between the markers, or nothing when they are missing. */
    static String section(String readme) {
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        return start < 0 || end < start ? "" : readme.substring(start + START.length(), end);
    }

    static List<Example> examples(String markdown) {
        List<Example> examples = new ArrayList<>();
        List<String> block = null;
        for (String line : markdown.lines().toList()) {
            if (block == null && line.strip().equals("```console")) {
                block = new ArrayList<>();
            } else if (block != null && line.strip().equals("```")) {
                String first = block.isEmpty() ? "" : block.getFirst();
                if (first.contains(DEMO)) {
                    assertTrue(first.startsWith("$ curl "), "a demo example starts with '$ curl ', not '" + first + "'");
                    examples.add(new Example(first.substring(2), List.copyOf(block.subList(1, block.size()))));
                }
                block = null;
            } else if (block != null) {
                block.add(line);
            }
        }
        return examples;
    }

    /** What {@code command} prints, without the newline it may end with; {@code environment} is added to this process's. */
    static String run(String command, Map<String, String> environment) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command);
        builder.environment().putAll(environment);
        Process process = builder.start();
        CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = process.waitFor();
        assertEquals(0, status, () -> "$ " + command + " exited with " + status + ": " + errors.join());
        return out.endsWith("\n") ? out.substring(0, out.length() - 1) : out;
    }
}
