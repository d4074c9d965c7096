package io.tideline.kubernetes;

import static io.tideline.kubernetes.KubernetesManifests.list;
import static io.tideline.kubernetes.KubernetesManifests.map;

import java.util.Map;
import java.util.TreeMap;

/**
 * The files a container sees from Secrets: its mounts of {@code secret} volumes and of the secret sources of
 * {@code projected} ones, each file by its absolute path with the Secret and key it comes from (only volumes that name
 * their items: the manifests always do, so no Secret's other keys, such as a CA's private key, reach a pod unnoticed).
 */
record MountedSecretFiles(Map<String, SecretFile> files) {

    /** One key of one Secret, as a file; {@code readOnly} as its mount says. */
    record SecretFile(String secret, String key, boolean readOnly) {
    }

    static MountedSecretFiles of(Map<String, Object> pod, Map<String, Object> container) {
        Map<String, SecretFile> files = new TreeMap<>();
        for (Map<String, Object> mount : list(container, "volumeMounts")) {
            String at = (String) mount.get("mountPath");
            boolean readOnly = Boolean.TRUE.equals(mount.get("readOnly"));
            Map<String, Object> volume = list(pod, "volumes").stream().filter(v -> mount.get("name").equals(v.get("name")))
                    .findFirst().orElseThrow(() -> new AssertionError("no volume " + mount.get("name")));
            Map<String, Object> secret = map(volume, "secret");
            if (!secret.isEmpty()) {
                add(files, at, (String) secret.get("secretName"), secret, readOnly);
            }
            for (Map<String, Object> source : list(map(volume, "projected"), "sources")) {
                Map<String, Object> projected = map(source, "secret");
                if (!projected.isEmpty()) {
                    add(files, at, (String) projected.get("name"), projected, readOnly);
                }
            }
        }
        return new MountedSecretFiles(files);
    }

    private static void add(Map<String, SecretFile> files, String at, String secretName, Map<String, Object> secret, boolean readOnly) {
        if (list(secret, "items").isEmpty()) {
            throw new AssertionError("the Secret " + secretName + " is mounted at " + at + " without items: name each key a pod gets");
        }
        for (Map<String, Object> item : list(secret, "items")) {
            files.put(at + "/" + item.get("path"), new SecretFile(secretName, (String) item.get("key"), readOnly));
        }
    }

    /** The files under directory {@code dir}, by their path below it. */
    Map<String, SecretFile> under(String dir) {
        Map<String, SecretFile> below = new TreeMap<>();
        String prefix = dir.endsWith("/") ? dir : dir + "/";
        files.forEach((path, file) -> {
            if (path.startsWith(prefix)) {
                below.put(path.substring(prefix.length()), file);
            }
        });
        return below;
    }
}
