package io.tideline.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Where log lines go, decided by the entry point (never by a library): the CLI keeps the terminal
 * for its own output (nothing logged unless {@code --verbose}), the runtime logs to its log file.
 * UTC timestamps, like everything else Tideline prints.
 */
public final class Logging {

    private static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} %-5level [%thread] %logger{36} - %msg%n";

    private Logging() {
    }

    /** Nothing is logged (the CLI's default: its own messages say what happened). */
    public static void off() {
        root().detachAndStopAllAppenders();
        root().setLevel(Level.OFF);
    }

    /** INFO and above to stderr ({@code --verbose}). */
    public static void toStderr() {
        ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> console = new ConsoleAppender<>();
        console.setTarget("System.err");
        install(console, Level.INFO);
    }

    /** INFO and above to stdout (the detached runtime, whose stdout is its log file). */
    public static void toStdout() {
        install(new ConsoleAppender<>(), Level.INFO);
    }

    /** INFO and above appended to {@code file} (the runtime inside the demo's JVM). */
    public static void toFile(Path file) {
        FileAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = new FileAppender<>();
        appender.setFile(file.toAbsolutePath().toString());
        appender.setAppend(true);
        install(appender, Level.INFO);
    }

    private static void install(OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender, Level level) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.start();
        Logger root = root();
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
        root.setLevel(level);
        // The Kafka clients narrate every connection and rebalance at INFO.
        context.getLogger("org.apache.kafka").setLevel(Level.WARN);
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
