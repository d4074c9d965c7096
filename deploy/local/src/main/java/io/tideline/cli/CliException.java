package io.tideline.cli;

/**
 * A failure the command reports as one line on stderr ({@code tideline: <message>}) with a meaningful
 * exit status ({@link ExitCodes}); never shown with a stack trace unless {@code --verbose}.
 */
public class CliException extends RuntimeException {

    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    public static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, message);
    }

    public static CliException notRunning() {
        return new CliException(ExitCodes.NOT_RUNNING, "the runtime is not running (start it with ./tideline up)");
    }

    public static CliException refused(String message) {
        return new CliException(ExitCodes.REFUSED, message);
    }

    public static CliException failure(String message) {
        return new CliException(ExitCodes.FAILURE, message);
    }

    public static CliException failure(String message, Throwable cause) {
        return new CliException(ExitCodes.FAILURE, message, cause);
    }
}
