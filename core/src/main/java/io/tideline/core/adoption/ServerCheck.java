package io.tideline.core.adoption;

import io.tideline.core.adoption.ServerFacts.Attempt;
import io.tideline.core.adoption.ServerFacts.Outcome;
import io.tideline.core.adoption.ServerFacts.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The decision table of adoption: from what {@link ServerProbe} found, what stops Tideline from backing
 * the server up, one problem per cause with the owner's fix. Pure logic, no I/O.
 *
 * <p>What Tideline needs, found in the code that uses the server (see docs/existing-servers.md):
 * the archiver and base backups speak the replication protocol only ({@code IDENTIFY_SYSTEM},
 * {@code READ_REPLICATION_SLOT}, {@code CREATE_REPLICATION_SLOT}, {@code START_REPLICATION},
 * {@code BASE_BACKUP} through {@code pg_basebackup -X none}) — so the replication role needs LOGIN and
 * REPLICATION, a replication line in pg_hba.conf, one slot and two walsenders (the stream and a base backup),
 * but no function grant ({@code pg_backup_start} is not called); its heartbeat and the undo finder's
 * catalog reads are ordinary connections of the same role to the registered database. The administrative
 * role must be a superuser: restore points call {@code pg_create_restore_point}, and in every restored copy
 * of the server (made from its backup, so with its roles) it is the role Tideline runs the copy with — it
 * gives the copy new passwords and its tenant role.
 */
public final class ServerCheck {

    /** The PostgreSQL major versions Tideline backs up and restores (restores run the same major version). */
    public static final Set<Integer> SUPPORTED_MAJOR_VERSIONS = Set.of(15);
    /** Walsenders Tideline holds at once: its WAL stream and a base backup ({@code pg_basebackup -X none}). */
    public static final int WAL_SENDERS_NEEDED = 2;
    /** Replication slots Tideline holds: one physical slot per server. */
    public static final int SLOTS_NEEDED = 1;

    public static final String UNREACHABLE = "unreachable";
    public static final String AUTH_REFUSED = "authentication-refused";
    public static final String HBA_REFUSES_LOGIN = "pg-hba-refuses-login";
    public static final String HBA_REFUSES_REPLICATION = "pg-hba-refuses-replication";
    public static final String NOT_REPLICATION_ROLE = "not-a-replication-role";
    public static final String ROLE_MISSING = "role-missing";
    public static final String CANNOT_LOGIN = "cannot-login";
    public static final String NO_CONNECT = "no-connect-privilege";
    public static final String NOT_SUPERUSER = "not-a-superuser";
    public static final String WAL_LEVEL = "wal-level";
    public static final String NO_WAL_SENDER = "no-free-wal-sender";
    public static final String NO_SLOT = "no-free-replication-slot";
    public static final String VERSION = "unsupported-version";
    public static final String OTHER = "connection-failed";
    public static final String TLS_NOT_OFFERED = "tls-not-offered";
    public static final String TLS_UNKNOWN_CA = "tls-unknown-ca";
    public static final String TLS_WRONG_NAME = "tls-wrong-name";

    private ServerCheck() {
    }

    /**
     * @param server    the server as given (roles, address, database)
     * @param clientHint how the owner's pg_hba.conf lines should name this host (e.g. {@code 10.0.0.5/32})
     */
    public static CheckReport evaluate(ExistingServer server, ServerFacts facts, String clientHint) {
        Table t = new Table(server, clientHint);
        if (facts.admin().outcome() == Outcome.UNREACHABLE) {
            // Nothing else can be known, and every other line would be noise.
            t.problem(UNREACHABLE, server.address() + " is unreachable (" + facts.admin().detail() + ")",
                    "start the server, check its port and listen_addresses, and that this host may reach it (firewall)");
            return t.report();
        }
        if (t.tlsRefused(facts.admin())) {
            // the CA was configured and the handshake failed: no login was tried, nothing else is known
            return t.report();
        }
        t.login(server.adminUser(), facts.admin());
        facts.replicationLogin().ifPresent(a -> t.login(server.replicationUser(), a));
        Optional<Settings> settings = facts.settings();
        settings.ifPresent(t::settings);
        t.stream(facts.replicationStream(), settings);
        return t.report();
    }

    /** The table's rows, each adding at most one problem per code. */
    private static final class Table {
        private final ExistingServer server;
        private final String clientHint;
        private final List<CheckReport.Problem> problems = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();
        private Optional<Settings> settings = Optional.empty();

        Table(ExistingServer server, String clientHint) {
            this.server = server;
            this.clientHint = clientHint;
        }

        void problem(String code, String what, String fix) {
            if (problems.stream().noneMatch(p -> p.code().equals(code) && p.what().equals(what))) {
                problems.add(new CheckReport.Problem(code, what, fix));
            }
        }

        /** A verify-full handshake that failed (only with a configured CA): one problem, with the fix. */
        boolean tlsRefused(Attempt attempt) {
            String caFix = "or register it again with --ca-file naming the CA that signed its certificate";
            switch (attempt.outcome()) {
                case TLS_NOT_OFFERED -> problem(TLS_NOT_OFFERED, server.address() + " offers no TLS, but a CA was given for it",
                        "give the server a certificate (ssl = on, ssl_cert_file, ssl_key_file in postgresql.conf; "
                                + "'hostssl' lines in pg_hba.conf), then SELECT pg_reload_conf()");
                case TLS_UNKNOWN_CA -> problem(TLS_UNKNOWN_CA, "the certificate of " + server.address()
                                + " is not signed by the given CA (" + attempt.detail() + ")",
                        "serve a certificate signed by that CA, " + caFix);
                case TLS_WRONG_NAME -> problem(TLS_WRONG_NAME, "the certificate of " + server.address() + " does not name "
                                + server.host() + " (" + attempt.detail() + ")",
                        "serve a certificate whose subject alternative names include " + server.host()
                                + ", or register the server with --host set to a name its certificate has");
                default -> {
                    return false;
                }
            }
            return true;
        }

        /** An ordinary connection of {@code role} to the registered database. */
        void login(String role, Attempt attempt) {
            switch (attempt.outcome()) {
                case OK, NOT_TRIED, UNREACHABLE -> {
                }
                case AUTH_REFUSED -> problem(AUTH_REFUSED, "authentication refused for role " + role + " (" + attempt.detail() + ")",
                        "check the password file; the role must exist with LOGIN and that password "
                                + "(ALTER ROLE " + role + " LOGIN PASSWORD '...', stored as scram-sha-256)");
                case HBA_REFUSED -> problem(HBA_REFUSES_LOGIN, "pg_hba.conf refuses role " + role + " on database "
                                + server.database() + " from this host (" + attempt.detail() + ")",
                        "add 'host " + server.database() + " " + role + " " + clientHint + " scram-sha-256' to pg_hba.conf, "
                                + "then SELECT pg_reload_conf()");
                default -> problem(OTHER, "role " + role + " cannot connect to database " + server.database()
                        + " (" + attempt.detail() + ")", "see the server's log for this connection");
            }
        }

        void settings(Settings s) {
            settings = Optional.of(s);
            if (!SUPPORTED_MAJOR_VERSIONS.contains(s.majorVersion())) {
                problem(VERSION, "PostgreSQL " + s.versionText() + " is not supported: Tideline supports PostgreSQL "
                                + supported() + " (a restore runs the same major version)",
                        "register a PostgreSQL " + supported() + " server");
            }
            if (!s.adminSuperuser()) {
                problem(NOT_SUPERUSER, "role " + server.adminUser() + " is not a superuser: Tideline runs the restored copies of "
                                + "this server with it (new passwords, the tenant role) and makes restore points with it",
                        "ALTER ROLE " + server.adminUser() + " SUPERUSER, or register with --user naming a superuser");
            }
            String repl = server.replicationUser();
            if (!s.replicationRoleExists()) {
                problem(ROLE_MISSING, "role " + repl + " does not exist",
                        "CREATE ROLE " + repl + " LOGIN REPLICATION PASSWORD '...'");
            } else {
                if (!s.replicationRoleReplicates()) {
                    notReplicationRole();
                }
                if (!s.replicationRoleCanLogin()) {
                    problem(CANNOT_LOGIN, "role " + repl + " cannot log in (NOLOGIN)", "ALTER ROLE " + repl + " LOGIN");
                }
                if (!s.replicationRoleConnects()) {
                    problem(NO_CONNECT, "role " + repl + " may not connect to database " + server.database()
                                    + " (the archiver's heartbeat commits there)",
                            "GRANT CONNECT ON DATABASE " + server.database() + " TO " + repl);
                }
            }
            if (!s.walLevel().equals("replica") && !s.walLevel().equals("logical")) {
                problem(WAL_LEVEL, "wal_level is " + s.walLevel() + ", below replica: the server writes no WAL to stream",
                        "set wal_level = replica in postgresql.conf and restart the server");
            }
            int sendersNeeded = WAL_SENDERS_NEEDED - (s.tidelineStreaming() ? 1 : 0);
            int sendersFree = s.maxWalSenders() - s.walSendersUsed();
            if (sendersFree < sendersNeeded) {
                problem(NO_WAL_SENDER, "no free WAL sender: max_wal_senders = " + s.maxWalSenders() + ", " + s.walSendersUsed()
                                + " in use, Tideline needs " + sendersNeeded + " more (its WAL stream and a base backup)",
                        "set max_wal_senders = " + (s.walSendersUsed() + sendersNeeded + 2) + " or more in postgresql.conf "
                                + "and restart the server");
            }
            int slotsNeeded = s.tidelineSlotExists() ? 0 : SLOTS_NEEDED;
            int slotsFree = s.maxReplicationSlots() - s.slotsUsed();
            if (slotsFree < slotsNeeded) {
                problem(NO_SLOT, "no free replication slot: max_replication_slots = " + s.maxReplicationSlots() + ", "
                                + s.slotsUsed() + " in use, Tideline needs " + slotsNeeded,
                        "set max_replication_slots = " + (s.slotsUsed() + slotsNeeded + 2) + " or more in postgresql.conf "
                                + "and restart the server (or drop an unused slot)");
            }
            notes.add("PostgreSQL " + s.versionText());
            notes.add("data checksums: " + (s.dataChecksums() ? "on" : "off (damaged pages are not detected when read; "
                    + "pg_checksums --enable turns them on while the server is stopped)"));
            if (server.tls().encrypted()) {
                notes.add("TLS: sslmode=verify-full against the given CA (encrypted; the certificate names " + server.host() + ")");
            } else if (s.ssl()) {
                warnings.add("TLS not used: the server offers TLS but no CA was given, so Tideline's connections to it "
                        + "(passwords, WAL, base backups) travel unencrypted -- fix: register it with --ca-file naming its CA");
            } else {
                warnings.add("the server has no TLS (ssl = off): Tideline's connections to it (passwords, WAL, base backups) "
                        + "travel unencrypted -- fix: give it a certificate (ssl = on, ssl_cert_file, ssl_key_file), "
                        + "'hostssl' lines in pg_hba.conf, then register it with --ca-file naming its CA");
            }
        }

        /**
         * The replication connection; its refusals that the settings already explain (a walsender refused
         * because max_wal_senders is 0, or because the role lacks REPLICATION) are not said twice.
         */
        void stream(Attempt attempt, Optional<Settings> settings) {
            switch (attempt.outcome()) {
                case OK, NOT_TRIED, UNREACHABLE -> {
                }
                case AUTH_REFUSED -> login(server.replicationUser(), attempt);
                case HBA_REFUSED -> problem(HBA_REFUSES_REPLICATION, "pg_hba.conf refuses replication connections of role "
                                + server.replicationUser() + " from this host (" + attempt.detail() + ")",
                        "add 'host replication " + server.replicationUser() + " " + clientHint + " scram-sha-256' to pg_hba.conf, "
                                + "then SELECT pg_reload_conf()");
                case NOT_REPLICATION_ROLE -> notReplicationRole();
                case NO_WAL_SENDER -> {
                    if (settings.isEmpty()) {
                        problem(NO_WAL_SENDER, "no free WAL sender (" + attempt.detail() + ")",
                                "raise max_wal_senders in postgresql.conf and restart the server");
                    }
                }
                default -> problem(OTHER, "the replication connection of role " + server.replicationUser() + " failed ("
                        + attempt.detail() + ")", "see the server's log for this connection");
            }
        }

        private void notReplicationRole() {
            problem(NOT_REPLICATION_ROLE, "role " + server.replicationUser() + " is not a replication role (rolreplication is off)",
                    "ALTER ROLE " + server.replicationUser() + " REPLICATION");
        }

        CheckReport report() {
            return new CheckReport(server.address() + "/" + server.database(), problems, notes, settings, warnings);
        }

        private static String supported() {
            return SUPPORTED_MAJOR_VERSIONS.stream().sorted().map(String::valueOf).reduce((a, b) -> a + ", " + b).orElse("");
        }
    }
}
