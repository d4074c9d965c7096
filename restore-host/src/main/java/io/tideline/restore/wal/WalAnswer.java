package io.tideline.restore.wal;

import java.util.Objects;

/** What the WAL endpoint answers a recovering server for one file. */
public sealed interface WalAnswer {

    /** 200: the file's bytes, verified and decompressed (a partial segment padded to the segment size). */
    record Found(String fileName, byte[] bytes, String fromKey) implements WalAnswer {
        public Found {
            Objects.requireNonNull(fileName, "fileName");
            Objects.requireNonNull(bytes, "bytes");
            Objects.requireNonNull(fromKey, "fromKey");
        }
    }

    /** 404: the archive has no such file; the server takes it as the end of the archive. */
    record NotFound(String fileName) implements WalAnswer {
    }

    /** 500: the restore has failed (checksum mismatch, a required segment vanished); the reason names the object. */
    record Failed(String reason) implements WalAnswer {
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** 403: the request did not present the restore's {@link WalToken} (or the restore is not served here). */
    record Refused(io.tideline.core.ids.RestoreId restoreId) implements WalAnswer {
        public Refused {
            Objects.requireNonNull(restoreId, "restoreId");
        }
    }
}
