package dev.nanolith.deploy;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.ArrayDeque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The log of one worker, read line by line from its standard error and forwarded once into the
 * platform's log: a worker writes each record as {@code LEVEL LOGGER: MESSAGE} (see {@link Jvm}), and
 * it is logged here under its own level and logger, its message marked with the service, so that a
 * line reads {@code 10:42:07 INFO fn.back.chatty: [back] [activation …, trace …] chatty says hi} —
 * one timestamp, one logger. The lines of a stack trace keep their record's level and logger; any
 * other line (an app's {@code System.out}) is logged as it is, at INFO. Not thread-safe: one reader per worker.
 */
final class WorkerLog {

    private static final Pattern RECORD = Pattern.compile("(SEVERE|WARNING|INFO|CONFIG|FINE|FINER|FINEST) ([^\\s:]+): (.*)");
    /** A line of a stack trace: its frames, causes and elisions, or the exception's own line. */
    private static final Pattern TRACE = Pattern.compile("\\s.*|Caused by: .*|Suppressed: .*|([\\w$]+\\.)+[\\w$]*(Exception|Error|Throwable)(: .*)?");

    /** The JUL logger the platform's log goes through: a {@code System.Logger} cannot log under another logger's name. */
    private final Logger platform = Logger.getLogger(Workers.class.getName());
    private final String service;
    private Level level = Level.INFO;
    private String logger = Workers.class.getName();
    /** The latest lines, at most {@link #KEPT}: what a worker that ended before it served last said. */
    private final ArrayDeque<String> latest = new ArrayDeque<>();
    private static final int KEPT = 5;

    WorkerLog(String service) {
        this.service = service;
    }

    /** Forwards one line of the worker's log. */
    synchronized void line(String line) {
        if (line.isBlank()) {
            // The line a record with a stack trace ends with.
            return;
        }
        Matcher record = RECORD.matcher(line);
        String message = line;
        if (record.matches()) {
            level = Level.parse(record.group(1));
            logger = record.group(2);
            message = record.group(3);
        } else if (!TRACE.matcher(line).matches()) {
            level = Level.INFO;
            logger = Workers.class.getName();
        }
        LogRecord forwarded = new LogRecord(level, "[" + service + "] " + message);
        forwarded.setLoggerName(logger);
        platform.log(forwarded);
        latest.addLast(message.strip());
        if (latest.size() > KEPT) {
            latest.removeFirst();
        }
    }

    /** The worker's latest lines, oldest first. */
    synchronized List<String> latest() {
        return List.copyOf(latest);
    }
}
