package dev.nanolith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;
import picocli.CommandLine;

/** The launcher's commands, run in the test's process as a user would type them. */
final class Commands {

    private Commands() {
    }

    /** Runs {@code ./nanolith ARGS --data DATA} with {@code stdin} as its standard input; what it printed, and it must succeed. */
    static String run(Path data, String stdin, String... args) {
        PrintStream out = System.out;
        InputStream in = System.in;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        int status;
        try {
            status = new CommandLine(new Main()).execute(Stream.concat(Stream.of(args), Stream.of("--data", data.toString())).toArray(String[]::new));
        } finally {
            System.setOut(out);
            System.setIn(in);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        return text;
    }
}
