package dev.nanolith.runtime.load;

import java.util.ArrayList;
import java.util.List;

/**
 * One thing wrong with an app, where it is and what to do about it.
 *
 * @param file    the file, relative to the app's root
 * @param line    its line, from 1; 0 when there is none to point at
 * @param message what is wrong, in one line
 * @param detail  lines that show it, printed under the message as they are: for a compile
 *                error, javac's source line with a caret and the rest of its diagnostic
 */
public record Problem(String file, int line, String message, List<String> detail) {

    public Problem {
        detail = List.copyOf(detail);
    }

    public Problem(String file, int line, String message) {
        this(file, line, message, List.of());
    }

    /** A problem of the app as a whole, with no line to point at. */
    public static Problem of(String file, String message) {
        return new Problem(file, 0, message);
    }

    /** The problem as it is printed: {@code file:line: message}, then its detail, indented. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add(line > 0 ? file + ":" + line + ": " + message : file + ": " + message);
        detail.forEach(d -> lines.add("  " + d));
        return lines;
    }

    @Override
    public String toString() {
        return String.join("\n", lines());
    }
}
