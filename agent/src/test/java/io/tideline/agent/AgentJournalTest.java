package io.tideline.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentJournalTest {

    @TempDir
    Path dir;

    @Test
    void aRecordedRestoreIsFoundByTheNextAgentUntilForgotten() {
        AgentJournal journal = new AgentJournal(dir.resolve("agent").resolve("restores"));
        assertTrue(journal.entries().isEmpty(), "no journal yet: nothing left over");
        journal.record(RestoreId.of("r-1"), InstanceId.of("src-r-1"));
        journal.record(RestoreId.of("r-2"), InstanceId.of("src-r-2"));

        AgentJournal afterRestart = new AgentJournal(dir.resolve("agent").resolve("restores"));
        assertEquals(Map.of(RestoreId.of("r-1"), InstanceId.of("src-r-1"), RestoreId.of("r-2"), InstanceId.of("src-r-2")),
                afterRestart.entries());

        afterRestart.forget(RestoreId.of("r-1"));
        afterRestart.forget(RestoreId.of("r-1")); // idempotent
        assertEquals(Map.of(RestoreId.of("r-2"), InstanceId.of("src-r-2")), journal.entries());
    }
}
