package org.ssechat.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * What one class logs while a test runs (through java.util.logging, at the levels its logger
 * lets through: INFO and above by default), from any thread. Closing it detaches it.
 */
public final class LogCapture implements AutoCloseable {

    private static final SimpleFormatter FORMAT = new SimpleFormatter();

    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(Logger logger) {
        this.logger = logger; // held: a logger nobody holds may be collected, with its handlers
        logger.addHandler(handler);
    }

    /** Captures what {@code source}'s logger (named after the class) writes from now on. */
    public static LogCapture of(Class<?> source) {
        return new LogCapture(Logger.getLogger(source.getName()));
    }

    /** Captures what every class of {@code member}'s package logs from now on (their loggers are the package's children). */
    public static LogCapture ofPackage(Class<?> member) {
        return new LogCapture(Logger.getLogger(member.getPackageName()));
    }

    /** The records at {@code level} or above, each as its message (parameters filled in) and what was thrown with it. */
    public List<String> atLeast(Level level) {
        return records.stream().filter(record -> record.getLevel().intValue() >= level.intValue())
                .map(record -> FORMAT.formatMessage(record) + (record.getThrown() == null ? "" : ": " + record.getThrown()))
                .toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
