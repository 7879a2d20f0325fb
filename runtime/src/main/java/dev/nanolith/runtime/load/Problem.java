package dev.nanolith.runtime.load;

/** One thing wrong with an app, where it is and what to do about it. */
public record Problem(String file, int line, String message) {

    /** A problem of the app as a whole, with no line to point at. */
    public static Problem of(String file, String message) {
        return new Problem(file, 0, message);
    }

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
    }
}
