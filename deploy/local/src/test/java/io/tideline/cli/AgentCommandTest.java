package io.tideline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.configuration.kafka.ConsumerRegistry;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.BeanRegistration;
import io.micronaut.context.annotation.ConfigurationReader;
import io.micronaut.context.annotation.Context;
import io.micronaut.http.annotation.Controller;
import io.micronaut.inject.BeanDefinition;
import io.tideline.agent.AgentConfiguration;
import io.tideline.archiver.ArchiverConfig;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.platform.local.postgres.LocalPostgresProvisioner;
import io.tideline.platform.local.postgres.PostgresNetwork;
import io.tideline.restore.RestoreConfiguration;
import io.tideline.retention.RetentionConfiguration;
import io.tideline.scheduler.SchedulerConfiguration;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tideline agent} runs the agent only, although the CLI's class path holds the four services: none of their
 * beans runs in its process (no scheduler clock, no archiver streams, no retention runs, no restore listener, no
 * Backups view or API on the agent's port), so it joins no consumer group; and its {@code --pg-listen}/{@code --pg-clients} reach the provisioner that makes the
 * restored servers. The agent's bean graph is started from the properties the command builds, without its HTTP
 * server (whose start would announce the agent on a broker: the announcement is the fleet tests' to prove).
 */
class AgentCommandTest {

    /** A class of each service's module (restore-host shares the package of the restore service, not its module). */
    private static final List<Class<?>> SERVICES = List.of(SchedulerConfiguration.class, ArchiverConfig.class,
            RetentionConfiguration.class, RestoreConfiguration.class);

    @TempDir
    Path home;

    @Test
    void anAgentProcessRunsNoServiceAndItsServersListenWhereItsOptionsSay() {
        AgentCommand command = new AgentCommand();
        new CommandLine(command).parseArgs("--id", "agent-db2", "--host", "db2", "--capacity", "3",
                "--pg-listen", "10.231.7.32", "--pg-clients", "10.231.7.0/24,10.1.0.0/16",
                "--home", home.toString(), "--secrets", home.resolve("secrets").toString(),
                // nothing listens there: the agent's graph is made, nothing is sent or read
                "--kafka", "127.0.0.1:1", "--s3", "http://127.0.0.1:1");
        Map<String, Object> properties = new HashMap<>(command.properties());
        properties.put("tideline.kafka.topics.create-on-startup", false);
        try (ApplicationContext agent = ApplicationContext.builder().deduceEnvironment(false).properties(properties).start()) {
            assertEquals("agent-db2", agent.getBean(AgentConfiguration.class).id());
            assertEquals(3, agent.getBean(AgentConfiguration.class).capacity());

            // What runs: a bean made, or one that serves (a route), listens (a consumer) or starts with the context.
            Set<URL> services = SERVICES.stream().map(AgentCommandTest::moduleOf).collect(Collectors.toSet());
            List<String> serviceBeans = Stream.concat(
                            agent.getActiveBeanRegistrations(Object.class).stream().map(BeanRegistration::getBeanDefinition),
                            agent.getAllBeanDefinitions().stream().filter(d -> d.hasStereotype(Controller.class)
                                    || d.hasStereotype(KafkaListener.class) || d.hasStereotype(Context.class)))
                    .filter(d -> services.contains(moduleOf(d.getBeanType())))
                    .filter(d -> !isSettingsRecord(d))
                    .map(d -> d.getBeanType().getName()).distinct().sorted().toList();
            assertEquals(List.of(), serviceBeans, "beans of the services running in the agent's process");
            assertEquals(List.of(), agent.findBean(ConsumerRegistry.class).map(r -> List.copyOf(r.getConsumerIds())).orElse(List.of()),
                    "Kafka listeners (consumer group members) in the agent's process");

            LocalPostgresProvisioner servers = assertInstanceOf(LocalPostgresProvisioner.class, agent.getBean(InstanceProvisioner.class));
            assertEquals(new PostgresNetwork("10.231.7.32", List.of("10.231.7.0/24", "10.1.0.0/16")), servers.config().network(),
                    "the restored servers listen on --pg-listen and let in --pg-clients only");
        }
    }

    @Test
    void withoutPgOptionsTheServersListenOnLoopbackOnly() {
        AgentCommand command = new AgentCommand();
        new CommandLine(command).parseArgs("--id", "agent-1", "--home", home.toString(), "--kafka", "127.0.0.1:1");
        Map<String, Object> properties = new HashMap<>(command.properties());
        properties.put("tideline.kafka.topics.create-on-startup", false);
        try (ApplicationContext agent = ApplicationContext.builder().deduceEnvironment(false).properties(properties).start()) {
            PostgresNetwork network = ((LocalPostgresProvisioner) agent.getBean(InstanceProvisioner.class)).config().network();
            assertTrue(network.isLoopback() && network.clientNetworks().isEmpty(), network.toString());
        }
    }

    /** Where a class was loaded from; null for the JDK's own. */
    private static URL moduleOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        return source == null ? null : source.getLocation();
    }

    private static boolean isSettingsRecord(BeanDefinition<?> definition) {
        return definition.getBeanType().isRecord() && definition.hasStereotype(ConfigurationReader.class);
    }
}
