package io.tideline.core.storage.encryption;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import javax.crypto.spec.SecretKeySpec;

/**
 * Gets the JDK's AES-GCM compiled before the first object is sealed (issue 18.4).
 *
 * <p>Why: HotSpot uses its AES-GCM intrinsics (AES-NI/VAES and carry-less multiply, GB/s) only in code
 * the C2 compiler compiled, and C2 compiles a method after thousands of calls. The archiver seals few,
 * large chunks — a 16 MiB WAL segment compresses to one or two 1 MiB chunks — so the JDK's GCM methods
 * were called a few times per second and never got there: every byte went through the interpreted
 * fallback (GHASH in Java), ~60–75 MB/s, against ~4 GB/s once compiled (measured on the 2-core test
 * machine, JDK 17). A few thousand seals of one small block each, the same calls {@link ChunkCipher#seal}
 * makes, cost ~0.1 s of CPU once per process and make every later seal run compiled.
 *
 * <p>Runs on a daemon thread of its own, so nobody waits for it; a seal before it ends is only slower.
 */
final class CipherWarmUp {

    /** Seals to run: above C2's invocation threshold (Tier4InvocationThreshold, 5,000) with room to spare. */
    static final int SEALS = 12_000;
    /** One block of the size the JDK's GCM intrinsic starts at (768 bytes, 48 AES blocks), and a bit more. */
    private static final int BLOCK = 1024;

    private CipherWarmUp() {
    }

    /** Starts the warm-up in the background. */
    static void start() {
        Thread thread = new Thread(() -> run(SEALS), "aes-gcm-warm-up");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    /** Seals {@code seals} small chunks under a throwaway key; returns the bytes sealed (so the work is not dropped). */
    static long run(int seals) {
        SecureRandom random = new SecureRandom();
        byte[] key = new byte[32];
        random.nextBytes(key);
        byte[] prefix = new byte[ObjectHeader.NONCE_PREFIX_BYTES];
        random.nextBytes(prefix);
        ObjectHeader header = ObjectHeader.of(BLOCK, prefix,
                new WrappedKey("warm-up", "not a key".getBytes(StandardCharsets.US_ASCII)));
        ChunkCipher cipher = new ChunkCipher(header, new SecretKeySpec(key, "AES"));
        byte[] in = new byte[BLOCK];
        byte[] trailer = new byte[ChunkCipher.SHA_BYTES];
        byte[] out = new byte[BLOCK + ChunkCipher.SHA_BYTES + ChunkCipher.TAG_BYTES];
        long sealed = 0;
        for (int i = 0; i < seals; i++) {
            // both shapes ChunkWriter uses: a full chunk, and the final one with the sha256 trailer
            boolean last = (i & 1) == 1;
            sealed += cipher.seal(i, last, in, 0, BLOCK, last ? trailer : null, out, 0);
        }
        return sealed;
    }
}
