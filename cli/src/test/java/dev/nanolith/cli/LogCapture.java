package dev.nanolith.cli;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** What one logger logs while a test runs, kept for the test to read. */
final class LogCapture extends Handler {

    final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger logger;

    private LogCapture(Logger logger) {
        this.logger = logger;
    }

    /** Starts keeping what the logger {@code name} logs. */
    static LogCapture of(String name) {
        LogCapture capture = new LogCapture(Logger.getLogger(name));
        capture.logger.addHandler(capture);
        return capture;
    }

    /**
     * The message logged right after the first one that contains {@code text}, waiting up to five
     * seconds for both: a worker's output reaches the control plane's log a moment after its answer.
     */
    String lineAfter(String text) throws InterruptedException {
        for (int attempt = 0; attempt < 100; attempt++) {
            List<String> lines = records.stream().map(LogRecord::getMessage).toList();
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i) != null && lines.get(i).contains(text)) {
                    return lines.get(i + 1);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing logged contains '" + text + "'");
    }

    /** The first record logged whose message contains {@code text}, waiting up to five seconds for it. */
    LogRecord record(String text) throws InterruptedException {
        for (int attempt = 0; attempt < 100; attempt++) {
            for (LogRecord record : records) {
                if (record.getMessage() != null && record.getMessage().contains(text)) {
                    return record;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing logged contains '" + text + "'");
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    /** Stops keeping records. */
    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
