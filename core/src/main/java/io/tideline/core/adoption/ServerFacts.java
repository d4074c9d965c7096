package io.tideline.core.adoption;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link ServerProbe} found on a server, before any judgement: how each of the three connections
 * Tideline makes went, and the settings and role attributes read over the administrative one. The
 * judgement is {@link ServerCheck}'s, so the decision table is tested without a server.
 *
 * @param admin             an ordinary connection as the administrative role to the registered database
 * @param replicationLogin  an ordinary connection as the replication role (the archiver's heartbeat and
 *                          catalog reads); empty when one role does both jobs
 * @param replicationStream a replication connection as the replication role ({@code IDENTIFY_SYSTEM})
 * @param settings          read over the administrative connection; empty when it failed
 */
public record ServerFacts(Attempt admin, Optional<Attempt> replicationLogin, Attempt replicationStream,
                          Optional<Settings> settings) {

    public ServerFacts {
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(replicationLogin, "replicationLogin");
        Objects.requireNonNull(replicationStream, "replicationStream");
        Objects.requireNonNull(settings, "settings");
    }

    /** How a connection attempt ended. */
    public enum Outcome {
        OK,
        /** Verify-full was asked (a CA is configured) and the server offers no TLS. */
        TLS_NOT_OFFERED,
        /** The server's certificate does not lead to the configured CA. */
        TLS_UNKNOWN_CA,
        /** The server's certificate does not name the host Tideline connects to. */
        TLS_WRONG_NAME,
        /** Nothing answered: refused, timed out, no route, unknown host. */
        UNREACHABLE,
        /** Wrong password, or no such role. */
        AUTH_REFUSED,
        /** No pg_hba.conf line lets this role connect from here (or a line rejects it). */
        HBA_REFUSED,
        /** A walsender refused the role: neither REPLICATION nor superuser. */
        NOT_REPLICATION_ROLE,
        /** A walsender could not be had: max_wal_senders all taken (or 0). */
        NO_WAL_SENDER,
        /** Not tried, because an earlier attempt made it pointless (the server did not answer). */
        NOT_TRIED,
        /** Anything else; the detail says what. */
        OTHER
    }

    /** An attempt's outcome and the server's (or driver's) own words, for the report. */
    public record Attempt(Outcome outcome, String detail) {
        public Attempt {
            Objects.requireNonNull(outcome, "outcome");
            detail = detail == null ? "" : detail;
        }

        public static Attempt ok() {
            return new Attempt(Outcome.OK, "");
        }

        public static Attempt notTried() {
            return new Attempt(Outcome.NOT_TRIED, "");
        }

        public boolean isOk() {
            return outcome == Outcome.OK;
        }
    }

    /**
     * The server's settings and the two roles' attributes.
     *
     * @param serverVersionNum        {@code server_version_num}, e.g. 150018
     * @param adminSuperuser          the administrative role is a superuser
     * @param replicationRoleExists   the replication role exists
     * @param replicationRoleCanLogin it has LOGIN
     * @param replicationRoleReplicates it has REPLICATION (or is a superuser, which the server treats the same)
     * @param replicationRoleConnects it may CONNECT to the registered database
     * @param walLevel                {@code wal_level}
     * @param maxWalSenders           {@code max_wal_senders}
     * @param walSendersUsed          walsenders running now (Tideline's own stream included, if any)
     * @param tidelineStreaming       Tideline's slot exists and a walsender streams it now (a re-check)
     * @param maxReplicationSlots     {@code max_replication_slots}
     * @param slotsUsed               replication slots that exist (Tideline's own included, if any)
     * @param tidelineSlotExists      Tideline's slot already exists
     * @param dataChecksums           {@code data_checksums}
     * @param ssl                     {@code ssl}
     * @param walSegmentSize          {@code wal_segment_size} in bytes
     */
    public record Settings(int serverVersionNum, boolean adminSuperuser, boolean replicationRoleExists,
                           boolean replicationRoleCanLogin, boolean replicationRoleReplicates, boolean replicationRoleConnects,
                           String walLevel, int maxWalSenders, int walSendersUsed, boolean tidelineStreaming,
                           int maxReplicationSlots, int slotsUsed, boolean tidelineSlotExists,
                           boolean dataChecksums, boolean ssl, long walSegmentSize) {

        public int majorVersion() {
            return serverVersionNum / 10_000;
        }

        /** {@code 15.18} from {@code 150018}. */
        public String versionText() {
            return majorVersion() + "." + serverVersionNum % 10_000;
        }
    }
}
