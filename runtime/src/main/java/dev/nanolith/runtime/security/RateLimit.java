package dev.nanolith.runtime.security;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many calls a caller may make in a period, as {@code nanolith.yaml}'s {@code rate-limit:} and
 * {@code ./nanolith keys create --rate-limit} write it: {@code 100/s}, {@code 600/m}, {@code 1000/h}.
 *
 * @param calls  the calls allowed in each period, at least one
 * @param period the period, after which the allowance is whole again
 */
public record RateLimit(int calls, Duration period) {

    private static final Pattern FORM = Pattern.compile("(\\d{1,9})\\s*/\\s*(s|m|h)");

    public RateLimit {
        if (calls < 1) {
            throw new IllegalArgumentException("a rate limit allows at least one call, not " + calls);
        }
    }

    /**
     * Reads a rate limit.
     *
     * @throws IllegalArgumentException saying the accepted forms, when {@code text} is none
     */
    @JsonCreator
    public static RateLimit parse(String text) {
        Matcher m = FORM.matcher(text.strip());
        if (!m.matches() || Integer.parseInt(m.group(1)) < 1) {
            throw new IllegalArgumentException("rate limit '" + text + "' is not valid — write it like 100/s, 600/m or 1000/h");
        }
        Duration period = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(1);
            case "m" -> Duration.ofMinutes(1);
            default -> Duration.ofHours(1);
        };
        return new RateLimit(Integer.parseInt(m.group(1)), period);
    }

    /** As {@link #parse} reads it, such as {@code 100/s}. */
    @JsonValue
    @Override
    public String toString() {
        return calls + "/" + (period.equals(Duration.ofSeconds(1)) ? "s" : period.equals(Duration.ofMinutes(1)) ? "m" : "h");
    }
}
