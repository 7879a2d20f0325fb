package dev.nanolith.runtime.observe;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Joins the metrics of several processes, each in Prometheus' text format (version 0.0.4), into
 * one exposition: the format allows one {@code # HELP} and {@code # TYPE} per metric family, with
 * every sample of the family after them, so the samples of a family that several processes report
 * are gathered under its first header. The processes must not report the same series.
 */
public final class Scrapes {

    private Scrapes() {
    }

    /** One exposition of every family in {@code scrapes}, in the order they first appear. */
    public static String merge(List<String> scrapes) {
        Map<String, List<String>> families = new LinkedHashMap<>();
        Set<String> headers = new HashSet<>();
        for (String scrape : scrapes) {
            List<String> family = null;
            for (String line : scrape.split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                String name = header(line);
                if (name != null) {
                    family = families.computeIfAbsent(name, n -> new ArrayList<>());
                    // A header an earlier process gave is there already: "# HELP name" or "# TYPE name", once each.
                    if (headers.add(line.substring(0, 7) + name)) {
                        family.add(family.size() - samples(family), line);
                    }
                } else if (line.startsWith("#")) {
                    // A comment that belongs to no family is dropped.
                } else if (family != null) {
                    family.add(line);
                }
            }
        }
        StringBuilder text = new StringBuilder();
        families.values().forEach(lines -> lines.forEach(line -> text.append(line).append('\n')));
        return text.toString();
    }

    /** How many lines of {@code family} are samples: those after its headers. */
    private static int samples(List<String> family) {
        int headers = 0;
        while (headers < family.size() && family.get(headers).startsWith("#")) {
            headers++;
        }
        return family.size() - headers;
    }

    /** The family a {@code # HELP} or {@code # TYPE} line introduces, or null. */
    private static String header(String line) {
        if (!line.startsWith("# HELP ") && !line.startsWith("# TYPE ")) {
            return null;
        }
        String rest = line.substring(7);
        int space = rest.indexOf(' ');
        return space < 0 ? rest : rest.substring(0, space);
    }
}
