package io.tideline.platform.local.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceCredentials;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InstanceUsersTest {

    private static final Path HOME = Path.of("/srv/tideline/instances");
    private static final InstanceId ID = InstanceId.of("orders-db");
    private static final ServerUser POSTGRES = new ServerUser(Optional.of("postgres"), FileSystems.getDefault());

    @Test
    void aUserNameIsShortStableAndOwnedByOneInstanceOfOneHome() {
        String name = InstanceUsers.nameFor(HOME, ID);
        assertTrue(name.matches("tl-[0-9a-f]{12}"), name);
        assertTrue(name.length() <= 32, "Linux user names are at most 32 characters");
        assertEquals(name, InstanceUsers.nameFor(Path.of("/srv/tideline/./instances"), ID), "any process finds the same name");
        assertNotEquals(name, InstanceUsers.nameFor(HOME, InstanceId.of("orders-db-2")));
        assertNotEquals(name, InstanceUsers.nameFor(Path.of("/tmp/test-home/instances"), ID), "two homes never share a user");
    }

    @Test
    void asRootAnInstanceRunsAsTheUserItsRecordNamesOrAsPostgresWhenTheRecordPredatesThem() {
        InstanceUsers users = new InstanceUsers(HOME, true, POSTGRES, unusedAccounts());
        Path dir = HOME.resolve(ID.value());
        assertEquals(Optional.of("tl-0123456789ab"), users.of(dir, Optional.of(record("tl-0123456789ab"))).name());
        assertEquals(Optional.of("postgres"), users.of(dir, Optional.of(record(null))).name(), "made by an older version");
        assertEquals(Optional.of(InstanceUsers.nameFor(HOME, ID)), users.of(dir, Optional.empty()).name(),
                "a half-made instance: the user it was given");
        assertEquals(InstanceUsers.nameFor(HOME, ID), users.recordedName(ID));
    }

    @Test
    void withoutRootEveryInstanceRunsAsUs() {
        ServerUser us = new ServerUser(Optional.empty(), FileSystems.getDefault());
        InstanceUsers users = new InstanceUsers(HOME, false, us, unusedAccounts());
        assertEquals(Optional.empty(), users.prepareNew(ID).name());
        assertEquals(Optional.empty(), users.of(HOME.resolve(ID.value()), Optional.of(record("tl-0123456789ab"))).name());
        assertEquals(System.getProperty("user.name"), users.recordedName(ID));
        users.remove(ID); // not root: no account is touched
    }

    private static InstanceRecord record(String osUser) {
        return InstanceRecord.of(ID, 6000, InstanceRecord.ORIGIN_INITDB, InstanceCredentials.standard(ID), "15.18",
                "2026-12-07T12:00:00Z", osUser);
    }

    /** Never asked to change anything here: these tests must not touch the machine's users. */
    private static OsAccounts unusedAccounts() {
        return new OsAccounts(new CommandRunner(Path.of("/")), FileSystems.getDefault(), Duration.ofSeconds(5));
    }
}
