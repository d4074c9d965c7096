package io.tideline.archiver.changes;

import io.tideline.archiver.wal.ServerConnections;
import io.tideline.core.changes.CatalogSnapshot;
import io.tideline.core.wal.Lsn;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a {@link CatalogSnapshot} from the server with the archiver's replication role: the WAL insert
 * position first, then, in every database that accepts connections, each relation with storage and its
 * file ({@code pg_relation_filenode}, which also answers for mapped catalogs). {@code pg_class} and
 * {@code pg_database} are readable by any role; no privilege beyond {@code CONNECT} (PUBLIC's by default)
 * is needed. A database that cannot be read (dropped meanwhile, CONNECT revoked) is left out and logged:
 * its relations stay unnamed, nothing else is lost.
 */
final class CatalogReader implements ChangeIndexer.Catalog {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogReader.class);
    private static final String RELATIONS = """
            SELECT c.oid, c.reltablespace, pg_relation_filenode(c.oid), n.nspname, c.relname, c.relkind
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE pg_relation_filenode(c.oid) IS NOT NULL""";

    private final ServerConnections connections;
    private final Clock clock;

    CatalogReader(ServerConnections connections, Clock clock) {
        this.connections = connections;
        this.clock = clock;
    }

    @Override
    public CatalogSnapshot take() throws SQLException {
        Lsn lsn;
        Map<Long, String> databases = new LinkedHashMap<>();
        try (Connection c = connections.open(connections.defaultDatabase()); Statement s = c.createStatement()) {
            // the position first: the catalog read after it holds every change committed before it
            try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()")) {
                rs.next();
                lsn = Lsn.parse(rs.getString(1));
            }
            try (ResultSet rs = s.executeQuery("SELECT oid, datname FROM pg_database WHERE datallowconn ORDER BY oid")) {
                while (rs.next()) {
                    databases.put(rs.getLong(1), rs.getString(2));
                }
            }
        }
        List<CatalogSnapshot.Database> read = new ArrayList<>();
        for (Map.Entry<Long, String> db : databases.entrySet()) {
            try (Connection c = connections.open(db.getValue()); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery(RELATIONS)) {
                List<CatalogSnapshot.CatalogRelation> relations = new ArrayList<>();
                while (rs.next()) {
                    relations.add(new CatalogSnapshot.CatalogRelation(rs.getLong(1), rs.getLong(2), rs.getLong(3),
                            rs.getString(4), rs.getString(5), rs.getString(6)));
                }
                read.add(new CatalogSnapshot.Database(db.getKey(), db.getValue(), relations));
            } catch (SQLException e) {
                LOG.info("{}: catalog of database {} not read (its relations stay unnamed): {}", connections, db.getValue(), e.getMessage());
                read.add(new CatalogSnapshot.Database(db.getKey(), db.getValue(), List.of()));
            }
        }
        return CatalogSnapshot.of(lsn, clock.instant(), read);
    }
}
