package io.tideline.core.verify;

import io.tideline.core.storage.NoSuchObjectException;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StorageErrors;
import io.tideline.core.storage.StorageException;
import io.tideline.core.storage.StorageFailure;
import io.tideline.core.storage.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Re-reads one object and compares the sha256 of the bytes read with the one recorded for it: the
 * manifest's for a backup part, the object's own {@value ObjectStore#SHA256_METADATA} metadata for the
 * rest. It streams (one buffer per reader, never the whole object) and keeps to the run's {@link Pace}.
 * Metadata is never compared with metadata: only bytes actually read prove an object.
 */
final class ObjectReader {

    static final int BUFFER = 256 * 1024;

    private final ObjectStore store;
    private final Pace pace;

    ObjectReader(ObjectStore store, Pace pace) {
        this.store = store;
        this.pace = pace;
    }

    VerifiedObject verify(ObjectToVerify object) throws InterruptedException {
        Optional<Sha256> expected = object.expected();
        try {
            if (expected.isEmpty()) {
                Optional<StoredObject> head = store.head(object.key());
                if (head.isEmpty()) {
                    return gone(object);
                }
                if (!sameVersion(object, head.get())) {
                    return replaced(object);
                }
                expected = head.get().sha256();
                if (expected.isEmpty()) {
                    return new VerifiedObject(object, VerifiedObject.Outcome.DAMAGED, expected, Optional.empty(),
                            "no sha256 is recorded in its metadata, so its bytes cannot be proven");
                }
            }
            Sha256 actual = hash(object.key());
            if (actual.equals(expected.get())) {
                return new VerifiedObject(object, VerifiedObject.Outcome.OK, expected, Optional.of(actual), "");
            }
            // A partial is replaced by a longer one while the archiver streams: what was read may be the new
            // version. Only bytes of the version that was listed and whose sha256 was taken are evidence.
            Optional<StoredObject> now = store.head(object.key());
            if (now.isEmpty()) {
                return gone(object);
            }
            if (!sameVersion(object, now.get()) || (object.expected().isEmpty() && !now.get().sha256().equals(expected))) {
                return replaced(object);
            }
            return new VerifiedObject(object, VerifiedObject.Outcome.DAMAGED, expected, Optional.of(actual),
                    "its bytes hash to sha256 " + actual.hex() + ", but " + source(object) + " records " + expected.get().hex());
        } catch (NoSuchObjectException e) {
            return gone(object);
        } catch (StorageException | IOException e) {
            // An encrypted object authenticates every chunk as it is read: a changed byte ends the read
            // before any hash is compared, and is damage just the same.
            Optional<StorageException> cause = StorageErrors.causeOf(e);
            if (cause.isPresent() && StorageErrors.classify(cause.get()) == StorageFailure.CORRUPT) {
                return new VerifiedObject(object, VerifiedObject.Outcome.DAMAGED, expected, Optional.empty(),
                        "its bytes are not what was written: " + cause.get().getMessage());
            }
            return new VerifiedObject(object, VerifiedObject.Outcome.UNREADABLE, expected, Optional.empty(),
                    "could not be read to its end: " + e.getMessage());
        }
    }

    private Sha256 hash(String key) throws IOException, InterruptedException {
        MessageDigest digest = Sha256.newDigest();
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = store.open(key)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
                pace.take(n);
            }
        }
        return Sha256.ofDigest(digest.digest());
    }

    private static String source(ObjectToVerify object) {
        return object.role() == ObjectToVerify.Role.BACKUP_PART ? "its backup's manifest" : "its metadata";
    }

    /** The listing and a HEAD name the same version: same size, same Last-Modified second. */
    private static boolean sameVersion(ObjectToVerify listed, StoredObject head) {
        return listed.size() == head.size()
                && listed.lastModified().getEpochSecond() == head.lastModified().getEpochSecond();
    }

    private static VerifiedObject replaced(ObjectToVerify object) {
        return new VerifiedObject(object, VerifiedObject.Outcome.GONE, object.expected(), Optional.empty(),
                "replaced since the listing (a longer partial, a new upload): the next verification reads the new one");
    }

    private static VerifiedObject gone(ObjectToVerify object) {
        return new VerifiedObject(object, VerifiedObject.Outcome.GONE, object.expected(), Optional.empty(),
                "deleted since the listing (expired)");
    }
}
