package dev.nanolith.runtime.security;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Who may call a function through the gateway: {@code access:} of a function, or of the whole
 * app, in {@code nanolith.yaml}. Calls between functions are not affected.
 */
public enum Access {
    /** Anyone who reaches the gateway. */
    PUBLIC,
    /** A caller whose credential has a scope that names the function: the default. */
    KEY,
    /** Nobody through the gateway: only other functions. */
    INTERNAL;

    /** The access of a function whose config, and whose app's, says nothing: safe by default. */
    public static final Access DEFAULT = KEY;

    /** As {@code nanolith.yaml} writes it: {@code public}, {@code key} or {@code internal}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The access {@code word} names, or null when it names none. */
    public static Access of(String word) {
        return Arrays.stream(values()).filter(a -> a.word().equals(word)).findFirst().orElse(null);
    }

    /** The words {@link #of} takes, for messages: {@code public, key or internal}. */
    public static String words() {
        String all = Arrays.stream(values()).map(Access::word).collect(Collectors.joining(", "));
        return all.substring(0, all.lastIndexOf(", ")) + " or " + all.substring(all.lastIndexOf(", ") + 2);
    }
}
