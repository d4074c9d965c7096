package io.tideline.core.window;

import java.util.Objects;

/** A complete backup that restores nothing now, and why (for the Backups view and retention reports). */
public record UnusableBackup(BackupEntry backup, String reason) {
    public UnusableBackup {
        Objects.requireNonNull(backup, "backup");
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("an unusable backup needs a reason");
        }
    }
}
