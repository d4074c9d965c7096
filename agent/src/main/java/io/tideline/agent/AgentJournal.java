package io.tideline.agent;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The restores this agent has started and not yet handed over, one file each ({@code <dir>/<restoreId>}, holding the
 * new instance's id), written BEFORE the new server is allocated and removed once it is handed over or removed:
 * after a kill, whatever is listed here is a half-made instance of a restore that no longer runs.
 */
final class AgentJournal {

    private final Path dir;

    AgentJournal(Path dir) {
        this.dir = dir;
    }

    void record(RestoreId restore, InstanceId instance) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + restore.value() + ".tmp");
            Files.writeString(tmp, instance.value(), StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(restore.value()), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record restore " + restore + " in " + dir, e);
        }
    }

    void forget(RestoreId restore) {
        try {
            Files.deleteIfExists(dir.resolve(restore.value()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot forget restore " + restore + " in " + dir, e);
        }
    }

    /** Every recorded restore and its new instance. */
    Map<RestoreId, InstanceId> entries() {
        Map<RestoreId, InstanceId> entries = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return entries;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList()) {
                entries.put(RestoreId.of(f.getFileName().toString()),
                        InstanceId.of(Files.readString(f, StandardCharsets.UTF_8).strip()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the journal " + dir, e);
        }
        return entries;
    }
}
