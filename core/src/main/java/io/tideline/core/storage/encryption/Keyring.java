package io.tideline.core.storage.encryption;

import io.tideline.core.secrets.SecretRef;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The content of one instance's keyring secret: its random id, the current version and every version's
 * 256-bit key, as a small properties text ({@code id}, {@code current}, {@code key.<n>}, {@code created.<n>}).
 */
record Keyring(String id, int current, Map<Integer, byte[]> keys, Map<Integer, Instant> created) {

    /** A key id as written into object headers: {@code <keyring id>:v<version>}. */
    record KeyName(String keyringId, int version) {
        static KeyName parse(String keyId) {
            int colon = keyId.lastIndexOf(":v");
            try {
                return new KeyName(keyId.substring(0, colon), Integer.parseInt(keyId.substring(colon + 2)));
            } catch (RuntimeException e) {
                throw new KeyUnwrapException("not a keyring key id: '" + keyId + "'", e);
            }
        }
    }

    /** What {@code destroy} leaves behind: when, and which keyrings (ids) it destroyed. */
    record Tombstone(Instant destroyedAt, List<String> keyringIds) {
        Tombstone with(String keyringId, Instant at) {
            List<String> ids = new ArrayList<>(keyringIds);
            ids.add(keyringId);
            return new Tombstone(at, List.copyOf(ids));
        }

        String serialize() {
            return "destroyed-at=" + destroyedAt + "\nkeyrings=" + String.join(",", keyringIds) + "\n";
        }

        static Tombstone parse(String text) {
            Properties p = load(text);
            return new Tombstone(Instant.parse(p.getProperty("destroyed-at")), List.of(p.getProperty("keyrings", "").split(",")));
        }
    }

    static Keyring first(String id, byte[] key, Instant now) {
        return new Keyring(id, 1, Map.of(1, key), Map.of(1, now));
    }

    Keyring withNewVersion(byte[] key, Instant now) {
        int next = keys.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        Map<Integer, byte[]> k = new TreeMap<>(keys);
        k.put(next, key);
        Map<Integer, Instant> c = new TreeMap<>(created);
        c.put(next, now);
        return new Keyring(id, next, k, c);
    }

    String keyId(int version) {
        return id + ":v" + version;
    }

    SecretKey kek(int version) {
        byte[] key = keys.get(version);
        if (key == null) {
            throw new IllegalStateException("keyring " + id + " has no key version " + version + " (it has " + keys.keySet() + ")");
        }
        return new SecretKeySpec(key, "AES");
    }

    String serialize() {
        StringBuilder b = new StringBuilder("# Tideline keyring: the key-encryption keys of one instance. Losing it loses its backups.\n");
        b.append("id=").append(id).append('\n').append("current=").append(current).append('\n');
        for (var e : new TreeMap<>(keys).entrySet()) {
            b.append("key.").append(e.getKey()).append('=').append(Base64.getEncoder().encodeToString(e.getValue())).append('\n');
            b.append("created.").append(e.getKey()).append('=').append(created.get(e.getKey())).append('\n');
        }
        return b.toString();
    }

    static Keyring parse(String text, SecretRef where) {
        try {
            Properties p = load(text);
            Map<Integer, byte[]> keys = new TreeMap<>();
            Map<Integer, Instant> created = new TreeMap<>();
            for (String name : p.stringPropertyNames()) {
                if (name.startsWith("key.")) {
                    int v = Integer.parseInt(name.substring(4));
                    byte[] key = Base64.getDecoder().decode(p.getProperty(name));
                    if (key.length != 32) {
                        throw new IllegalArgumentException("key version " + v + " has " + key.length + " bytes, not 32");
                    }
                    keys.put(v, key);
                    created.put(v, Instant.parse(p.getProperty("created." + v)));
                }
            }
            String id = p.getProperty("id");
            int current = Integer.parseInt(p.getProperty("current"));
            if (id == null || id.isBlank() || !keys.containsKey(current)) {
                throw new IllegalArgumentException("no id, or no key for the current version " + current);
            }
            return new Keyring(id, current, keys, created);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the keyring in secret " + where + " is damaged: " + e.getMessage(), e);
        }
    }

    private static Properties load(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    @Override
    public String toString() {
        return "Keyring[" + id + ", current v" + current + ", versions " + keys.keySet() + "]";
    }
}
