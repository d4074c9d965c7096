package io.tideline.archiver.basebackup;

import com.github.luben.zstd.Zstd;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.Sha256;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Test helper standing in for the WAL streamer: copies complete segments from the server's pg_wal
 * (as superuser, {@code pg_read_binary_file}) into the bucket under BucketLayout's WAL keys, zstd
 * compressed, with the metadata the WAL archiver writes. Tests call it when THEY decide, which is how
 * WAL is "held back".
 */
final class TestWal {

    private final RegisteredInstance instance;
    private final SecretStore secrets;

    TestWal(RegisteredInstance instance, SecretStore secrets) {
        this.instance = instance;
        this.secrets = secrets;
    }

    Connection superuser() throws SQLException {
        return DriverManager.getConnection(instance.jdbcUrl(), instance.superuser(), secrets.get(instance.superuserSecret()));
    }

    /** A slot that keeps the server from recycling WAL the test has not copied yet. */
    void reserveWal(String slot) throws SQLException {
        try (Connection c = superuser(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
        }
    }

    void sql(String statement) throws SQLException {
        try (Connection c = superuser(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /**
     * Stores every segment of timeline {@code timeline} from the one holding {@code start} to the one
     * holding {@code end}; switches WAL first so that the last one is complete on the server.
     */
    List<String> store(ObjectStore store, long timeline, Lsn start, Lsn end) throws SQLException {
        BucketLayout layout = BucketLayout.forSegmentSize(instance.walSegmentSize());
        List<String> keys = new ArrayList<>();
        try (Connection c = superuser()) {
            Lsn current;
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_switch_wal()");
                try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()")) {
                    rs.next();
                    current = Lsn.parse(rs.getString(1));
                }
            }
            WalSegmentName last = WalSegmentName.of(timeline, end, instance.walSegmentSize());
            if (last.contains(current)) {
                throw new IllegalStateException("segment " + last + " is still being written (at " + current + ")");
            }
            for (WalSegmentName s = WalSegmentName.of(timeline, start, instance.walSegmentSize()); s.compareTo(last) <= 0; s = s.next()) {
                byte[] raw;
                try (PreparedStatement read = c.prepareStatement("SELECT pg_read_binary_file(?)")) {
                    read.setString(1, "pg_wal/" + s);
                    try (ResultSet rs = read.executeQuery()) {
                        rs.next();
                        raw = rs.getBytes(1);
                    }
                }
                if (raw.length != instance.walSegmentSize()) {
                    throw new IllegalStateException(s + " has " + raw.length + " bytes");
                }
                String key = layout.walSegment(s);
                store.putIfAbsentOrSame(key, Zstd.compress(raw, 1), Map.of(
                        "start-lsn", s.startLsn().toString(),
                        "end-lsn", s.endLsn().toString(),
                        "raw-sha256", Sha256.of(raw).hex()));
                keys.add(key);
            }
        }
        return keys;
    }
}
