package io.tideline.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into one line on stderr, {@code tideline: <reason>}, and an exit status from
 * {@link ExitCodes}. A stack trace only with {@code --verbose}: a person reads the reason, a script
 * reads the status.
 */
final class ErrorReporting implements IExecutionExceptionHandler, IParameterExceptionHandler {

    static final String PREFIX = "tideline: ";

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        err.println(PREFIX + reason(e));
        if (verbose(parseResult)) {
            e.printStackTrace(err);
        }
        err.flush();
        return e instanceof CliException c ? c.exitCode() : ExitCodes.FAILURE;
    }

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        String qualified = command.getCommandSpec().qualifiedName();
        err.println(PREFIX + oneLine(e.getMessage()) + " (see: " + qualified.replaceFirst("^tideline", "./tideline")
                + " --help)");
        // picocli's "Did you mean: ..." for a mistyped subcommand or option (nothing when nothing is close).
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.flush();
        return ExitCodes.USAGE;
    }

    /** The first line of the message of the most telling exception in the chain. */
    static String reason(Throwable e) {
        if (e instanceof CliException || e.getCause() == null) {
            return oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        String message = e.getMessage();
        if (message == null || message.isBlank() || message.equals(e.getCause().toString())) {
            return reason(e.getCause());
        }
        return oneLine(message);
    }

    static String oneLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        String line = (newline < 0 ? message : message.substring(0, newline)).strip();
        return line.endsWith(";") || line.endsWith(":") ? line.substring(0, line.length() - 1) : line;
    }

    private static boolean verbose(ParseResult result) {
        for (ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
