package dev.nanolith.runtime;

import java.text.MessageFormat;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/**
 * The logger a function gets during one call: its lines go to the function's logger with the
 * call's activation and trace ids, and are kept with the call's activation record.
 */
final class CallLog implements System.Logger {

    private final System.Logger logger;
    private final Call call;

    CallLog(System.Logger logger, Call call) {
        this.logger = logger;
        this.call = call;
    }

    @Override
    public String getName() {
        return logger.getName();
    }

    @Override
    public boolean isLoggable(Level level) {
        return logger.isLoggable(level);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        if (isLoggable(level)) {
            String line = message + (thrown == null ? "" : " — " + thrown);
            call.logged(level.getName() + " " + line);
            logger.log(level, bundle, ids() + message, thrown);
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (isLoggable(level)) {
            String line = params == null || params.length == 0 ? format : MessageFormat.format(format, params);
            call.logged(level.getName() + " " + line);
            logger.log(level, bundle, ids() + line);
        }
    }

    @Override
    public void log(Level level, Supplier<String> message) {
        if (isLoggable(level)) {
            log(level, (ResourceBundle) null, message.get(), (Throwable) null);
        }
    }

    /** What each line starts with in the process's log: the activation (span) and trace it belongs to. */
    private String ids() {
        return "[activation " + call.trace().spanHex() + ", trace " + call.trace().id() + "] ";
    }
}
