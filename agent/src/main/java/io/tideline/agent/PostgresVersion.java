package io.tideline.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The PostgreSQL version of this host's binaries ({@code postgres --version}), announced so restores land where it fits. */
final class PostgresVersion {

    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+(?:\\.\\d+)*)");

    private PostgresVersion() {
    }

    static String of(Path binDir) {
        try {
            Process p = new ProcessBuilder(binDir.resolve("postgres").toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("postgres --version did not answer in " + binDir);
            }
            Matcher m = VERSION.matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("cannot read the PostgreSQL version from '" + out.strip() + "'");
            }
            return m.group(1);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run postgres --version in " + binDir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
