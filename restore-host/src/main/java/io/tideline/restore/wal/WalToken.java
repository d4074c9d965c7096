package io.tideline.restore.wal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * The capability of one restore's WAL: a random 256-bit value the recovering server's {@code restore_command}
 * presents in the {@value #HEADER} header, which {@link WalController} checks (constant time) before it serves
 * anything. It never leaves this process but through the {@link #writeHeaderFile header file} that curl reads
 * ({@code curl -H @file}): not in an event, a log line, a command line or the server's configuration, which name
 * the file only. {@link #toString} does not show it.
 */
public final class WalToken {

    /** The request header that carries the token (not {@code Authorization}: that one is Micronaut Security's). */
    public static final String HEADER = "X-Tideline-Wal-Token";
    private static final int BYTES = 32;

    private final String value;

    private WalToken(String value) {
        this.value = value;
    }

    /** A fresh token of 256 random bits (base64url, no padding). */
    public static WalToken random(SecureRandom random) {
        byte[] bytes = new byte[BYTES];
        random.nextBytes(bytes);
        return new WalToken(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    /** Whether {@code presented} is this token; compared in constant time (no timing tells how much matched). */
    public boolean accepts(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(value.getBytes(StandardCharsets.US_ASCII), presented.strip().getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Writes the header line curl sends ({@code curl -H @file}) to {@code file}: created 0600 (never readable by
     * others, not even for a moment), then handed to {@code owner}, the recovering server's OS user, when that is
     * not this process's user. Replaces nothing: a file already there is an error.
     */
    public Path writeHeaderFile(Path file, UserPrincipal owner) throws IOException {
        Objects.requireNonNull(owner, "owner");
        Files.write(Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                (HEADER + ": " + value + "\n").getBytes(StandardCharsets.US_ASCII), StandardOpenOption.TRUNCATE_EXISTING);
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (!view.getOwner().equals(owner)) {
            view.setOwner(owner);
        }
        return file;
    }

    @Override
    public String toString() {
        return "WalToken[hidden]";
    }
}
