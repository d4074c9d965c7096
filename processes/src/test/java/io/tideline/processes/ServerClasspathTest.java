package io.tideline.processes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerClasspathTest {

    @Test
    void readsEntriesFromSeveralLines(@TempDir Path dir) throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path a = Files.createFile(dir.resolve("a.jar"));
        Path b = Files.createFile(dir.resolve("b.jar"));

        ServerClasspath classpath = ServerClasspath.parse("r", classes + "\n" + a + ":" + b + "\n");

        assertEquals(List.of(classes, a, b), classpath.entries());
        assertEquals(classes + ":" + a + ":" + b, classpath.asArgument());
    }

    @Test
    void aMissingEntryOrResourceFailsLoudly(@TempDir Path dir) {
        assertThrows(IllegalStateException.class, () -> ServerClasspath.parse("r", dir.resolve("gone.jar").toString()));
        assertThrows(IllegalArgumentException.class, () -> ServerClasspath.parse("r", "\n"));
        assertThrows(IllegalStateException.class, () -> ServerClasspath.load("tideline/no-such.classpath"));
    }

    @Test
    void theDeployModulesClasspathsAreOnOurClasspath() {
        assertTrue(ServerClasspath.load(KafkaBrokerProcess.CLASSPATH_RESOURCE).asArgument().contains("kafka_2.13-4.1.1.jar"));
        ServerClasspath s3 = ServerClasspath.load(S3ServerProcess.CLASSPATH_RESOURCE);
        assertTrue(s3.asArgument().contains("s3proxy-4.1.0.jar"));
        assertTrue(Files.isDirectory(s3.entries().get(0)) || s3.entries().get(0).toString().endsWith(".jar"),
                "the s3-server's own classes come first");
    }

    @Test
    void kafkaListenersAreParsedForTheirPorts() {
        assertEquals(Map.of("PLAINTEXT", 1234, "CONTROLLER", 5678),
                KafkaBrokerProcess.parseListeners("PLAINTEXT://127.0.0.1:1234,CONTROLLER://127.0.0.1:5678"));
        assertEquals(Map.of(), KafkaBrokerProcess.parseListeners(""));
    }
}
