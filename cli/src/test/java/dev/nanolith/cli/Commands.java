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

    /** What a command printed, and its exit code. */
    record Result(int status, String out, String err) {

        /** What it printed, once it succeeded. */
        String ok() {
            assertEquals(0, status, out + err);
            return out;
        }
    }

    /** Runs {@code ./nanolith ARGS --data DATA} with {@code stdin} as its standard input; what it printed, and it must succeed. */
    static String run(Path data, String stdin, String... args) {
        return run(data, stdin.getBytes(StandardCharsets.UTF_8), args).ok();
    }

    /** Runs {@code ./nanolith ARGS --data DATA} with {@code stdin} as its standard input. */
    static Result run(Path data, byte[] stdin, String... args) {
        PrintStream out = System.out, err = System.err;
        InputStream in = System.in;
        ByteArrayOutputStream printed = new ByteArrayOutputStream(), complained = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(complained, true, StandardCharsets.UTF_8));
        System.setIn(new ByteArrayInputStream(stdin));
        int status;
        try {
            status = new CommandLine(new Main()).execute(Stream.concat(Stream.of(args), Stream.of("--data", data.toString())).toArray(String[]::new));
        } finally {
            System.setOut(out);
            System.setErr(err);
            System.setIn(in);
        }
        return new Result(status, printed.toString(StandardCharsets.UTF_8), complained.toString(StandardCharsets.UTF_8));
    }
}
