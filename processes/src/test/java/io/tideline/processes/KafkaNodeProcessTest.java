package io.tideline.processes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.processes.KafkaNodeProcess.Role;
import io.tideline.processes.KafkaNodeProcess.Spec;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaNodeProcessTest {

    @TempDir
    Path dir;

    @Test
    void aCombinedNodeBindsAndAdvertisesItsOwnAddress() throws IOException {
        Spec spec = new Spec(2, Role.COMBINED, "10.77.0.12", 19092, 19093, List.of("ip", "netns", "exec", "kafka-2"), "384m");
        Properties p = properties(spec, "1@10.77.0.11:19093,2@10.77.0.12:19093", List.of("broker.session.timeout.ms=4000"));

        assertEquals("broker,controller", p.getProperty("process.roles"));
        assertEquals("2", p.getProperty("node.id"));
        assertEquals("PLAINTEXT://10.77.0.12:19092,CONTROLLER://10.77.0.12:19093", p.getProperty("listeners"));
        assertEquals("PLAINTEXT://10.77.0.12:19092", p.getProperty("advertised.listeners"));
        assertEquals("1@10.77.0.11:19093,2@10.77.0.12:19093", p.getProperty("controller.quorum.voters"));
        assertEquals("4000", p.getProperty("broker.session.timeout.ms"));
        assertEquals("2@10.77.0.12:19093", spec.voter());
        assertEquals("10.77.0.12:19092", spec.brokerAddress());
    }

    @Test
    void brokerOnlyAndControllerOnlyNodesHaveOnlyTheirOwnListener() throws IOException {
        Properties broker = properties(new Spec(3, Role.BROKER, "127.0.0.1", 29092, 0, List.of(), "384m"), "1@127.0.0.1:29093", List.of());
        assertEquals("broker", broker.getProperty("process.roles"));
        assertEquals("PLAINTEXT://127.0.0.1:29092", broker.getProperty("listeners"));

        Properties controller = properties(new Spec(1, Role.CONTROLLER, "127.0.0.1", 0, 29093, List.of(), "192m"), "1@127.0.0.1:29093", List.of());
        assertEquals("controller", controller.getProperty("process.roles"));
        assertEquals("CONTROLLER://127.0.0.1:29093", controller.getProperty("listeners"));
        assertFalse(controller.containsKey("advertised.listeners"));
        assertFalse(controller.containsKey("inter.broker.listener.name"));
    }

    @Test
    void portsMustMatchTheRoles() {
        assertThrows(IllegalArgumentException.class, () -> new Spec(1, Role.BROKER, "127.0.0.1", 0, 0, List.of(), "384m"));
        assertThrows(IllegalArgumentException.class, () -> new Spec(1, Role.CONTROLLER, "127.0.0.1", 9092, 9093, List.of(), "384m"));
        assertThrows(IllegalArgumentException.class, () -> new Spec(1, Role.COMBINED, "127.0.0.1", 9092, 9092, List.of(), "384m"));
        assertThrows(IllegalStateException.class, () -> new Spec(1, Role.BROKER, "127.0.0.1", 9092, 0, List.of(), "384m").voter());
        assertTrue(new Spec(1, Role.COMBINED, "127.0.0.1", 9092, 9093, List.of(), "384m").role().isController());
    }

    private Properties properties(Spec spec, String voters, List<String> extra) throws IOException {
        KafkaNodeProcess node = new KafkaNodeProcess(spec, dir.resolve("node-" + spec.nodeId()), "cluster-id", voters, extra);
        Properties properties = new Properties();
        properties.load(new StringReader(node.serverPropertiesText()));
        return properties;
    }
}
