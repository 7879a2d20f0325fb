package dev.nanolith.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The lines a process that runs app code prints, each cut at {@value #MAX} characters: an app that
 * prints without end, or without a newline, cannot fill the control plane's memory.
 */
final class Lines {

    static final int MAX = 8_192;

    private final BufferedReader in;

    Lines(InputStream in) {
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** The next line, without its end, or null at the end of the output. */
    String next() throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (line.length() < MAX) {
                line.append((char) c);
            }
        }
        return c == -1 && line.isEmpty() ? null : line.toString();
    }
}
