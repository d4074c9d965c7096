package io.tideline.cli.instance;

import io.tideline.cli.CliException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A password given as a file (never on the command line, where every process listing shows it): its first
 * line, without the line end; a clear usage error for a missing, unreadable or empty file.
 */
public final class PasswordFile {

    private PasswordFile() {
    }

    public static String read(Path file, String option) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliException.usage(option + " " + file + " cannot be read: " + e.getMessage());
        }
        if (lines.isEmpty() || lines.get(0).isEmpty()) {
            throw CliException.usage(option + " " + file + " is empty (its first line is the password)");
        }
        return lines.get(0);
    }
}
