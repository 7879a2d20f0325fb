package dev.nanolith.examples.shop;

import dev.nanolith.deploy.Workers;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the platform logs about one function's failures: a client sees only the error id, the
 * log holds the cause under it. A function runs in a worker, whose output the control plane logs
 * line by line: a failure's line names the function and the error id, the next one the cause.
 */
final class FailureLog extends Handler implements AutoCloseable {

    private static final Pattern CAUSE = Pattern.compile("^\\[[^]]+] [\\w.$]+(?:Exception|Error): (.*)$");

    private final Logger logger = Logger.getLogger(Workers.class.getName());
    private final String function;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    /** Listens to the log of {@code function} until closed. */
    FailureLog(String function) {
        this.function = function;
        logger.addHandler(this);
    }

    /** The message of the exception logged under {@code errorId}. */
    String cause(String errorId) throws InterruptedException {
        for (int attempt = 0; attempt < 100; attempt++) {
            for (int i = 0; i + 1 < lines.size(); i++) {
                Matcher cause = CAUSE.matcher(lines.get(i + 1));
                if (lines.get(i).contains("error id " + errorId) && cause.matches()) {
                    return cause.group(1);
                }
            }
            // The worker's output reaches this log a moment after the answer reached the client.
            Thread.sleep(50);
        }
        throw new AssertionError("nothing is logged under error id " + errorId + ": " + lines);
    }

    /** The first line logged that contains {@code text}, waiting a moment for the worker's output. */
    String line(String text) throws InterruptedException {
        for (int attempt = 0; attempt < 100; attempt++) {
            for (String line : lines) {
                if (line.contains(text)) {
                    return line;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line logged contains " + text + ": " + lines);
    }

    /** The failures of the function logged so far. */
    List<String> failures() {
        return lines.stream().filter(line -> line.contains("fn." + function + ":") && line.contains("error id")).toList();
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getMessage() != null) {
            lines.add(record.getMessage());
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
