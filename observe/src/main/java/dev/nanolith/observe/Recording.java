package dev.nanolith.observe;

import dev.nanolith.runtime.config.Durations;
import dev.nanolith.runtime.observe.Activations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * How the platform records calls, from its settings: where activation records are kept
 * ({@value #URL}, {@value #USER}, {@value #PASSWORD}: a JDBC URL, H2 in the data directory
 * without one), for how long ({@value #MAX_COUNT}, {@value #MAX_AGE}), and how many ended calls each
 * worker holds until they are collected ({@value #BUFFER}; 0 records nothing).
 *
 * @param buffer how many ended calls each worker holds at most; past it, records are dropped and counted
 */
public record Recording(ActivationStore.Database database, Collector.Retention retention, int buffer) {

    /** The settings read here. */
    public static final String URL = "NANOLITH_ACTIVATIONS_URL", USER = "NANOLITH_ACTIVATIONS_USER",
            PASSWORD = "NANOLITH_ACTIVATIONS_PASSWORD", MAX_COUNT = "NANOLITH_ACTIVATIONS_MAX_COUNT",
            MAX_AGE = "NANOLITH_ACTIVATIONS_MAX_AGE", BUFFER = "NANOLITH_ACTIVATIONS_BUFFER";

    /**
     * The recording {@code settings} configure.
     *
     * @throws IllegalArgumentException naming the setting that is not valid, and what it takes
     */
    public static Recording of(UnaryOperator<String> settings, Path dataDir) {
        String url = settings.apply(URL);
        if (url != null && !url.startsWith("jdbc:")) {
            throw new IllegalArgumentException(URL + ": '" + url + "' is not a JDBC URL — give one like jdbc:postgresql://HOST:5432/DATABASE");
        }
        ActivationStore.Database database = url == null ? ActivationStore.Database.embedded(dataDir)
                : new ActivationStore.Database(url, orEmpty(settings.apply(USER)), orEmpty(settings.apply(PASSWORD)));
        Collector.Retention retention = new Collector.Retention(
                number(settings, MAX_COUNT, Collector.Retention.DEFAULT.maxCount(), 1),
                duration(settings, MAX_AGE, Collector.Retention.DEFAULT.maxAge()));
        return new Recording(database, retention, (int) number(settings, BUFFER, Activations.CAPACITY, 0));
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    /**
     * The whole number the setting {@code name} holds, or {@code otherwise} when it is not set.
     *
     * @throws IllegalArgumentException naming the setting when it is not a whole number from {@code least} to {@link Integer#MAX_VALUE}
     */
    public static long number(UnaryOperator<String> settings, String name, long otherwise, long least) {
        String value = settings.apply(name);
        if (value == null) {
            return otherwise;
        }
        try {
            long n = Long.parseLong(value.strip());
            if (n >= least && n <= Integer.MAX_VALUE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // told below
        }
        throw new IllegalArgumentException(name + ": '" + value + "' is not a whole number from " + least + " to " + Integer.MAX_VALUE);
    }

    private static Duration duration(UnaryOperator<String> settings, String name, Duration otherwise) {
        String value = settings.apply(name);
        Duration duration;
        try {
            duration = value == null ? otherwise : Durations.parse(value);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IllegalArgumentException(name + ": '" + value + "' is not a duration — write it like 12h or 30d");
        }
        if (duration.compareTo(LONGEST) > 0) {
            throw new IllegalArgumentException(name + ": '" + value + "' is longer than a record is ever kept — give at most " + LONGEST.toDays() + "d");
        }
        return duration;
    }

    /** The longest age a record may be kept: a century. */
    private static final Duration LONGEST = Duration.ofDays(36_500);
}
