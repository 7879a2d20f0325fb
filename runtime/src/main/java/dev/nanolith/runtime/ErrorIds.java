package dev.nanolith.runtime;

import java.util.concurrent.ThreadLocalRandom;

/** Ids that tie an error shown to a client to its entry in the log. */
public final class ErrorIds {

    private ErrorIds() {
    }

    /** A fresh id, such as {@code e-3f9c1a07b2d4}. */
    public static String next() {
        return "e-" + String.format("%012x", ThreadLocalRandom.current().nextLong() >>> 16);
    }
}
