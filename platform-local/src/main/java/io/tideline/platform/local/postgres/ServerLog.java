package io.tideline.platform.local.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A server's log, {@code postgres.log} beside its data directory (so base backups do not carry it):
 * what a failure message shows a person, so it is actionable without digging for files.
 */
final class ServerLog {

    private static final int TAIL_LINES = 30;

    private final Path file;

    ServerLog(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** The current length: pass it to {@link #since} to read what a start wrote. */
    long size() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /** What was written after {@code offset}; empty if the log cannot be read. */
    String since(long offset) {
        try {
            byte[] all = Files.readAllBytes(file);
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The log's last lines under a heading, to append to an error message. */
    String tail() {
        try {
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            return "\nserver log " + file + " (tail):\n" + lastLines(text);
        } catch (IOException e) {
            return "\n(no server log at " + file + ")";
        }
    }

    static String lastLines(String text) {
        return CommandRunner.tail(text.strip(), TAIL_LINES);
    }
}
