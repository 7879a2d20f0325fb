package dev.nanolith.runtime.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import java.io.IOException;
import java.time.Duration;

/** Reads {@code 2s}-style durations; a wrong one fails with its path, so the line can be found. */
final class DurationDeserializer extends JsonDeserializer<Duration> {

    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() == JsonToken.START_ARRAY || p.currentToken() == JsonToken.START_OBJECT) {
            throw new InvalidFormatException(p, "a duration is one value, like 2s — not a " + (p.currentToken() == JsonToken.START_ARRAY ? "list" : "map"),
                    null, Duration.class);
        }
        String text = p.getValueAsString();
        try {
            return Durations.parse(text == null ? p.getText() : text);
        } catch (IllegalArgumentException e) {
            throw new InvalidFormatException(p, e.getMessage(), text, Duration.class);
        }
    }
}
