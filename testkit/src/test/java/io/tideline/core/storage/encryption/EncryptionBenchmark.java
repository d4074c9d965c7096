package io.tideline.core.storage.encryption;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.MultipartUpload;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StoredObject;
import io.tideline.testkit.storage.InMemoryObjectStore;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * bench/encryption.sh: what the encryption layer costs per GB on this machine's CPU, the store taken out
 * (an in-memory bucket), against what the unencrypted path already spends on every byte: the sha256 (and
 * the MD5 of Content-MD5) of the upload, the sha256 of the verifying read. Run only when asked
 * ({@code -Dbench.mb=...}).
 */
class EncryptionBenchmark {

    @Test
    void throughput() throws Exception {
        String mb = System.getProperty("bench.mb");
        assumeTrue(mb != null, "run with -Dbench.mb=<object size in MiB>");
        int size = Integer.parseInt(mb) * 1024 * 1024;
        int rounds = Integer.parseInt(System.getProperty("bench.rounds", "5"));
        byte[] data = new byte[size];
        new Random(1).nextBytes(data); // zstd output is random-like: what backup parts and WAL objects hold
        Map<SecretRef, String> values = new ConcurrentHashMap<>();
        SecretStore secrets = new SecretStore() {
            public void put(SecretRef ref, String value) { values.put(ref, value); }
            public Optional<String> find(SecretRef ref) { return Optional.ofNullable(values.get(ref)); }
            public void delete(SecretRef ref) { values.remove(ref); }
        };
        SecureRandom random = new SecureRandom();
        KeyringKeyService keys = new KeyringKeyService(secrets, Clock.systemUTC(), random);
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%-44s %10s", "per " + mb + " MiB object, median of " + rounds, "MB/s"));
        lines.add(row("reference: sha256 (verifying read)", rounds, size, () -> Sha256.of(data)));
        lines.add(row("reference: sha256 + md5 (upload path today)", rounds, size, () -> {
            Sha256.of(data);
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(data);
            md5.digest();
        }));
        for (int chunk : new int[] {64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024}) {
            EncryptionSettings settings = EncryptionSettings.defaults().withChunkSize(chunk);
            InMemoryObjectStore raw = new InMemoryObjectStore("tideline-bench", 16 * 1024 * 1024, Clock.systemUTC());
            EncryptingObjectStore store = new EncryptingObjectStore(raw, InstanceId.of("bench"), keys, settings, random);
            String label = (chunk / 1024) + " KiB chunks";
            lines.add(row("encrypt, streamed (multipart), " + label, rounds, size, () -> {
                try (MultipartUpload upload = store.openMultipart("part", Map.of())) {
                    for (int off = 0; off < size; off += 1 << 20) {
                        upload.write(data, off, Math.min(1 << 20, size - off));
                    }
                    StoredObject stored = upload.complete();
                    stored.requireSha256();
                }
            }));
            Sha256 sha = Sha256.of(data);
            byte[] buffer = new byte[256 * 1024];
            lines.add(row("decrypt + verify, streamed, " + label, rounds, size, () -> {
                try (InputStream in = store.openVerified("part", sha)) {
                    while (in.read(buffer) >= 0) {
                        // drain
                    }
                }
            }));
        }
        System.out.println("[bench] " + Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("java.vm.name")
                + " " + System.getProperty("java.version"));
        lines.forEach(l -> System.out.println("[bench] " + l));
    }

    interface Body {
        void run() throws Exception;
    }

    private static String row(String what, int rounds, int size, Body body) throws Exception {
        body.run(); // warm-up: JIT and intrinsics
        List<Long> nanos = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            body.run();
            nanos.add(System.nanoTime() - t0);
        }
        nanos.sort(Long::compare);
        double seconds = nanos.get(nanos.size() / 2) / 1e9;
        return String.format("%-44s %10.0f", what, size / 1e6 / seconds);
    }
}
