package dev.nanolith.examples.shop;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the platform logs about one function's failures: a client sees only the error id, the
 * log holds the cause under it.
 */
final class FailureLog extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    /** Listens to the log of {@code function} until closed. */
    FailureLog(String function) {
        this.logger = Logger.getLogger("fn." + function);
        logger.addHandler(this);
    }

    /** The message of the exception logged under {@code errorId}. */
    String cause(String errorId) {
        return records.stream()
                .filter(r -> r.getMessage() != null && r.getMessage().contains(errorId) && r.getThrown() != null)
                .map(r -> r.getThrown().getMessage())
                .findFirst()
                .orElseThrow(() -> new AssertionError("nothing is logged under error id " + errorId));
    }

    /** The failures logged so far: every record that carries an exception. */
    List<String> failures() {
        return records.stream().filter(r -> r.getThrown() != null).map(LogRecord::getMessage).toList();
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
