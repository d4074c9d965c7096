package io.tideline.platform.local.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.FileSystems;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerUserTest {

    @Test
    void commandsRunAsTheServerUserThroughRunuser() {
        ServerUser postgres = new ServerUser(Optional.of("postgres"), FileSystems.getDefault());
        assertEquals(List.of("runuser", "-u", "postgres", "--", "pg_ctl", "status"), postgres.command(List.of("pg_ctl", "status")));
    }

    @Test
    void withoutAServerUserCommandsRunAsThemselves() {
        ServerUser none = new ServerUser(Optional.empty(), FileSystems.getDefault());
        assertEquals(List.of("pg_ctl", "status"), none.command(List.of("pg_ctl", "status")));
    }
}
