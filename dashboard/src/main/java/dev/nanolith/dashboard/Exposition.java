package dev.nanolith.dashboard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The samples of a Prometheus text exposition (format 0.0.4): each line
 * {@code name{label="value",...} value}, comments skipped. Label values are unescaped as the
 * format says ({@code \\}, {@code \"}, {@code \n}); a line that is not a sample is skipped.
 */
final class Exposition {

    /** One sample: a series and its value. */
    record Sample(String name, Map<String, String> labels, double value) {

        String label(String name) {
            return labels.getOrDefault(name, "");
        }
    }

    private Exposition() {
    }

    /** The samples of {@code text} whose metric name is one of {@code names}. */
    static List<Sample> parse(String text, List<String> names) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            String name = brace >= 0 && (space < 0 || brace < space) ? line.substring(0, brace) : space < 0 ? line : line.substring(0, space);
            if (names.contains(name)) {
                Sample sample = sample(line, name, brace >= 0 && brace == name.length());
                if (sample != null) {
                    samples.add(sample);
                }
            }
        }
        return samples;
    }

    private static Sample sample(String line, String name, boolean labelled) {
        Map<String, String> labels = new LinkedHashMap<>();
        int i = name.length();
        if (labelled) {
            i++;
            while (i < line.length() && line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                    return null;
                }
                String label = line.substring(i, eq).strip();
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; j < line.length() && line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\' && j + 1 < line.length()) {
                        char next = line.charAt(++j);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(label, value.toString());
                i = j + 1;
                if (i < line.length() && line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        String value = line.substring(Math.min(i, line.length())).strip().split("\\s+")[0];
        try {
            return new Sample(name, labels, switch (value) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(value);
            });
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
