package io.tideline.core.adoption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.adoption.ServerFacts.Attempt;
import io.tideline.core.adoption.ServerFacts.Outcome;
import io.tideline.core.adoption.ServerFacts.Settings;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The decision table of adoption (issue 13): each misconfiguration gives its one line and fix, and nothing else. */
class ServerCheckTest {

    private static final ExistingServer SERVER = new ExistingServer("db.example", 5432, "app", "site_admin", "a-secret",
            "site_repl", "r-secret");
    private static final String HINT = "10.0.0.5/32";
    private static final String CA = io.tideline.core.tls.Pem.of(
            io.tideline.core.tls.CertificateAuthority.create("Owner CA", java.time.Clock.systemUTC()).certificate());

    /** A server Tideline can adopt as it is. */
    private static Settings good() {
        return new Settings(150018, true, true, true, true, true, "replica", 10, 1, false, 10, 0, false, true, false, 16L << 20);
    }

    private static ServerFacts facts(Settings s) {
        return new ServerFacts(Attempt.ok(), Optional.of(Attempt.ok()), Attempt.ok(), Optional.of(s));
    }

    private static List<String> codes(CheckReport r) {
        return r.problems().stream().map(CheckReport.Problem::code).toList();
    }

    @Test
    void aWellConfiguredServerPassesAndItsChecksumsAndTlsAreReported() {
        CheckReport r = ServerCheck.evaluate(SERVER, facts(good()), HINT);
        assertTrue(r.passed(), r.lines().toString());
        assertTrue(r.notes().contains("PostgreSQL 15.18"), r.notes().toString());
        assertTrue(r.notes().contains("data checksums: on"), r.notes().toString());
        assertTrue(r.warnings().stream().anyMatch(n -> n.startsWith("the server has no TLS (ssl = off)")), r.lines().toString());
        assertEquals(Optional.of(good()), r.settings());
    }

    @Test
    void withoutACaTlsIsAWarningThatSaysWhatTravelsInClearAndTheFix() {
        Settings sslOn = new Settings(150018, true, true, true, true, true, "replica", 10, 1, false, 10, 0, false, true, true, 16L << 20);
        CheckReport r = ServerCheck.evaluate(SERVER, facts(sslOn), HINT);
        assertTrue(r.passed(), r.lines().toString());
        assertEquals(List.of("WARN TLS not used: the server offers TLS but no CA was given, so Tideline's connections to it "
                + "(passwords, WAL, base backups) travel unencrypted -- fix: register it with --ca-file naming its CA"),
                r.lines().stream().filter(l -> l.startsWith("WARN")).toList());
        CheckReport withCa = ServerCheck.evaluate(SERVER.withTls(io.tideline.core.postgres.PostgresTls.verifyFull(CA)), facts(sslOn), HINT);
        assertTrue(withCa.warnings().isEmpty(), withCa.lines().toString());
        assertTrue(withCa.notes().contains("TLS: sslmode=verify-full against the given CA (encrypted; the certificate names db.example)"),
                withCa.notes().toString());
    }

    @Test
    void aFailedVerifyFullHandshakeIsOneProblemWithItsFix() {
        ExistingServer withCa = SERVER.withTls(io.tideline.core.postgres.PostgresTls.verifyFull(CA));
        for (var c : List.of(
                List.of(Outcome.TLS_NOT_OFFERED, ServerCheck.TLS_NOT_OFFERED, "db.example:5432 offers no TLS, but a CA was given for it -- fix: give the server a certificate"),
                List.of(Outcome.TLS_UNKNOWN_CA, ServerCheck.TLS_UNKNOWN_CA, "the certificate of db.example:5432 is not signed by the given CA"),
                List.of(Outcome.TLS_WRONG_NAME, ServerCheck.TLS_WRONG_NAME, "the certificate of db.example:5432 does not name db.example"))) {
            ServerFacts f = new ServerFacts(new Attempt((Outcome) c.get(0), "detail"), Optional.of(Attempt.notTried()),
                    Attempt.notTried(), Optional.empty());
            CheckReport r = ServerCheck.evaluate(withCa, f, HINT);
            assertEquals(List.of(c.get(1)), codes(r));
            assertTrue(r.lines().get(0).startsWith("FAIL " + c.get(2)), r.lines().get(0));
        }
    }

    @Test
    void tlsFailuresAreToldApartFromAnUnreachableServer() {
        assertEquals(Outcome.TLS_NOT_OFFERED, ServerProbe.classify(new SQLException("The server does not support SSL.", "08004"), false).outcome());
        assertEquals(Outcome.TLS_WRONG_NAME, ServerProbe.classify(new SQLException(
                "The hostname localhost could not be verified by hostnameverifier PgjdbcHostnameVerifier.", "08006"), false).outcome());
        assertEquals(Outcome.TLS_UNKNOWN_CA, ServerProbe.classify(new SQLException(
                "SSL error: PKIX path building failed: unable to find valid certification path to requested target", "08006"), false).outcome());
    }

    @Test
    void anUnreachableServerSaysOnlyThat() {
        ServerFacts f = new ServerFacts(new Attempt(Outcome.UNREACHABLE, "Connection to db.example:5432 refused"),
                Optional.of(Attempt.notTried()), Attempt.notTried(), Optional.empty());
        CheckReport r = ServerCheck.evaluate(SERVER, f, HINT);
        assertEquals(List.of(ServerCheck.UNREACHABLE), codes(r));
        assertTrue(r.lines().get(0).contains("db.example:5432 is unreachable (Connection to db.example:5432 refused) -- fix: start the server"),
                r.lines().get(0));
    }

    @Test
    void aRefusedPasswordIsAuthentication() {
        ServerFacts f = new ServerFacts(new Attempt(Outcome.AUTH_REFUSED, "password authentication failed for user \"site_admin\""),
                Optional.of(Attempt.ok()), Attempt.ok(), Optional.empty());
        CheckReport r = ServerCheck.evaluate(SERVER, f, HINT);
        assertEquals(List.of(ServerCheck.AUTH_REFUSED), codes(r));
        assertTrue(r.problems().get(0).what().startsWith("authentication refused for role site_admin"));
    }

    @Test
    void pgHbaWithoutAReplicationLineNamesTheLineToAdd() {
        ServerFacts f = new ServerFacts(Attempt.ok(), Optional.of(Attempt.ok()),
                new Attempt(Outcome.HBA_REFUSED, "no pg_hba.conf entry for replication connection"), Optional.of(good()));
        CheckReport r = ServerCheck.evaluate(SERVER, f, HINT);
        assertEquals(List.of(ServerCheck.HBA_REFUSES_REPLICATION), codes(r));
        assertTrue(r.problems().get(0).fix().contains("host replication site_repl 10.0.0.5/32 scram-sha-256"), r.problems().get(0).fix());
    }

    @Test
    void pgHbaRefusingTheReplicationRolesOrdinaryLoginIsItsOwnLine() {
        ServerFacts f = new ServerFacts(Attempt.ok(), Optional.of(new Attempt(Outcome.HBA_REFUSED, "no pg_hba.conf entry")),
                Attempt.ok(), Optional.of(good()));
        CheckReport r = ServerCheck.evaluate(SERVER, f, HINT);
        assertEquals(List.of(ServerCheck.HBA_REFUSES_LOGIN), codes(r));
        assertTrue(r.problems().get(0).fix().contains("host app site_repl 10.0.0.5/32 scram-sha-256"));
    }

    @Test
    void aRoleWithoutReplicationIsSaidOnceThoughBothTheRoleAndTheWalsenderShowIt() {
        Settings s = new Settings(150018, true, true, true, false, true, "replica", 10, 0, false, 10, 0, false, true, true, 16L << 20);
        ServerFacts f = new ServerFacts(Attempt.ok(), Optional.of(Attempt.ok()),
                new Attempt(Outcome.NOT_REPLICATION_ROLE, "must be superuser or replication role to start walsender"), Optional.of(s));
        CheckReport r = ServerCheck.evaluate(SERVER, f, HINT);
        assertEquals(List.of(ServerCheck.NOT_REPLICATION_ROLE), codes(r));
        assertEquals("ALTER ROLE site_repl REPLICATION", r.problems().get(0).fix());
    }

    @Test
    void walLevelMinimalComesWithNoWalSenderAndTheRefusedWalsenderIsNotBlamedOnPgHba() {
        Settings s = new Settings(150018, true, true, true, true, true, "minimal", 0, 0, false, 10, 0, false, false, false, 16L << 20);
        ServerFacts f = new ServerFacts(Attempt.ok(), Optional.of(Attempt.ok()),
                new Attempt(Outcome.NO_WAL_SENDER, "number of requested standby connections exceeds max_wal_senders (currently 0)"),
                Optional.of(s));
        CheckReport r = ServerCheck.evaluate(SERVER, f, HINT);
        assertEquals(List.of(ServerCheck.WAL_LEVEL, ServerCheck.NO_WAL_SENDER), codes(r));
        assertTrue(r.problems().get(0).line().contains("wal_level is minimal, below replica"));
        assertTrue(r.problems().get(1).line().contains("max_wal_senders = 0, 0 in use, Tideline needs 2"), r.problems().get(1).line());
        assertTrue(r.notes().contains("data checksums: off (damaged pages are not detected when read; pg_checksums --enable turns them on while the server is stopped)"));
    }

    @Test
    void walSendersAreCountedWithTidelinesOwnStreamDiscountedOnARecheck() {
        Settings busy = new Settings(150018, true, true, true, true, true, "replica", 4, 3, false, 10, 0, false, true, true, 16L << 20);
        CheckReport r = ServerCheck.evaluate(SERVER, facts(busy), HINT);
        assertEquals(List.of(ServerCheck.NO_WAL_SENDER), codes(r));
        assertTrue(r.problems().get(0).line().contains("max_wal_senders = 4, 3 in use, Tideline needs 2 more"));
        assertTrue(r.problems().get(0).fix().startsWith("set max_wal_senders = 7 or more"));
        Settings recheck = new Settings(150018, true, true, true, true, true, "replica", 4, 3, true, 10, 1, true, true, true, 16L << 20);
        assertTrue(ServerCheck.evaluate(SERVER, facts(recheck), HINT).passed(), "its own stream holds one of the three");
    }

    @Test
    void replicationSlotsAreCountedAndTidelinesOwnSlotNeedsNoNewOne() {
        Settings full = new Settings(150018, true, true, true, true, true, "replica", 10, 0, false, 2, 2, false, true, true, 16L << 20);
        CheckReport r = ServerCheck.evaluate(SERVER, facts(full), HINT);
        assertEquals(List.of(ServerCheck.NO_SLOT), codes(r));
        assertTrue(r.problems().get(0).line().contains("max_replication_slots = 2, 2 in use, Tideline needs 1"));
        Settings ours = new Settings(150018, true, true, true, true, true, "replica", 10, 0, false, 2, 2, true, true, true, 16L << 20);
        assertTrue(ServerCheck.evaluate(SERVER, facts(ours), HINT).passed());
    }

    @Test
    void anotherMajorVersionIsRefusedNamingTheSupportedOnes() {
        Settings s = new Settings(160004, true, true, true, true, true, "replica", 10, 0, false, 10, 0, false, true, true, 16L << 20);
        CheckReport r = ServerCheck.evaluate(SERVER, facts(s), HINT);
        assertEquals(List.of(ServerCheck.VERSION), codes(r));
        assertTrue(r.problems().get(0).what().startsWith("PostgreSQL 16.4 is not supported: Tideline supports PostgreSQL 15"));
    }

    @Test
    void theAdministrativeRoleMustBeASuperuserAndTheReplicationRoleMustExistLogInAndConnect() {
        Settings notSuper = new Settings(150018, false, true, true, true, true, "replica", 10, 0, false, 10, 0, false, true, true, 16L << 20);
        assertEquals(List.of(ServerCheck.NOT_SUPERUSER), codes(ServerCheck.evaluate(SERVER, facts(notSuper), HINT)));
        Settings missing = new Settings(150018, true, false, false, false, false, "replica", 10, 0, false, 10, 0, false, true, true, 16L << 20);
        assertEquals(List.of(ServerCheck.ROLE_MISSING), codes(ServerCheck.evaluate(SERVER, facts(missing), HINT)));
        Settings noLoginNoConnect = new Settings(150018, true, true, false, true, false, "replica", 10, 0, false, 10, 0, false, true, true, 16L << 20);
        assertEquals(List.of(ServerCheck.CANNOT_LOGIN, ServerCheck.NO_CONNECT),
                codes(ServerCheck.evaluate(SERVER, facts(noLoginNoConnect), HINT)));
    }

    @Test
    void connectionFailuresAreClassifiedBySqlStateAndWhereNeededByMessage() {
        assertEquals(Outcome.UNREACHABLE, ServerProbe.classify(new SQLException("Connection to 127.0.0.1:1 refused.", "08001"), false).outcome());
        assertEquals(Outcome.AUTH_REFUSED, ServerProbe.classify(new SQLException("FATAL: password authentication failed", "28P01"), false).outcome());
        assertEquals(Outcome.HBA_REFUSED, ServerProbe.classify(new SQLException(
                "FATAL: no pg_hba.conf entry for replication connection from host \"127.0.0.1\", user \"r\", no encryption", "28000"), true).outcome());
        assertEquals(Outcome.NOT_REPLICATION_ROLE, ServerProbe.classify(new SQLException(
                "FATAL: must be superuser or replication role to start walsender", "42501"), true).outcome());
        assertEquals(Outcome.NO_WAL_SENDER, ServerProbe.classify(new SQLException(
                "FATAL: number of requested standby connections exceeds max_wal_senders (currently 0)", "53300"), true).outcome());
        assertEquals(Outcome.OTHER, ServerProbe.classify(new SQLException("FATAL: too many clients", "53300"), false).outcome());
        assertEquals("FATAL: x", ServerProbe.classify(new SQLException("FATAL: x\n  Detail", "XX000"), false).detail());
    }

    @Test
    void theServerNeverPrintsItsPasswords() {
        assertFalse(SERVER.toString().contains("secret"), SERVER.toString());
    }
}
