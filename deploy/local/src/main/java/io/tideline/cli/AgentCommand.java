package io.tideline.cli;

import io.micronaut.context.ApplicationContext;
import io.tideline.agent.AgentApplication;
import io.tideline.archiver.ArchiverConfig;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.platform.local.FleetConfiguration;
import io.tideline.platform.local.PostgresNetworkConfiguration;
import io.tideline.platform.local.PostgresTlsConfiguration;
import io.tideline.restore.RestoreConfiguration;
import io.tideline.restore.view.ViewFactory;
import io.tideline.retention.RetentionConfiguration;
import io.tideline.scheduler.SchedulerConfiguration;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tideline agent}: the restore agent of this database host, in the foreground until SIGTERM. Each option is
 * the one configuration key it names; an option not given is read from the environment or system properties
 * ({@code TIDELINE_AGENT_ID}, {@code KAFKA_BOOTSTRAP_SERVERS}, …), as for the services' own mains.
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Run the restore agent of this database host (issue 13.2): it announces the host on tideline.agents and "
                + "makes the new instances of restores the restore service places here (platform 'agent').",
                "Runs in the foreground until stopped; it needs no storage key (each restore brings a read-only one)."})
final class AgentCommand implements Callable<Integer> {

    @Option(names = "--id", paramLabel = "ID", description = "This agent's id in the fleet (tideline.agent.id).")
    String id;

    @Option(names = "--host", paramLabel = "NAME", description = "The host's name (tideline.agent.host; default: this machine's).")
    String host;

    @Option(names = "--address", paramLabel = "URL", description = "The URL the restore service reaches this agent at (tideline.agent.address).")
    String address;

    @Option(names = "--bind", paramLabel = "ADDR", description = "The address to listen on (micronaut.server.host).")
    String bind;

    @Option(names = "--port", paramLabel = "N", description = "The port to listen on (micronaut.server.port).")
    Integer port;

    @Option(names = "--capacity", paramLabel = "N", description = "Restores this host runs at once (tideline.agent.capacity).")
    Integer capacity;

    @Option(names = "--pg-listen", paramLabel = "ADDR", description = "This host's address the restored servers listen on, "
            + "and are handed out with (tideline.fleet.postgres-network.listen-address; default: 127.0.0.1 only).")
    String pgListen;

    @Option(names = "--pg-clients", paramLabel = "CIDR[,CIDR]", description = "Networks allowed to log in to the restored servers: "
            + "the service hosts' and the users' (tideline.fleet.postgres-network.client-networks).")
    String pgClients;

    @Option(names = "--pg-tls", description = "Give the restored servers a certificate from the Tideline CA of the secret store, "
            + "ssl=on and TLS-only pg_hba.conf (tideline.fleet.postgres-tls.enabled); every Tideline client then connects "
            + "with sslmode=verify-full, so the services must share that secret store. Default: off.")
    boolean pgTls;

    @Option(names = "--home", paramLabel = "DIR", description = "The agent's state directory: its servers and journal (tideline.fleet.home).")
    Path home;

    @Option(names = "--secrets", paramLabel = "DIR", description = "The secret store's directory (tideline.fleet.secrets-dir).")
    Path secrets;

    @Option(names = "--kafka", paramLabel = "SERVERS", description = "Kafka bootstrap servers (kafka.bootstrap.servers).")
    String kafka;

    @Option(names = "--s3", paramLabel = "URL", description = "The object store's endpoint (tideline.storage.endpoint).")
    String s3;

    @Option(names = "--kafka-tls", paramLabel = "DIR", description = "Kafka over TLS as principal agent-<id>, its identity "
            + "in DIR/agent-<id>/identity.pem and the CA in DIR/ca/ca.crt (tideline.kafka.security.*); its ACLs are "
            + "KafkaAcls.agent(id), made by the admin.")
    Path kafkaTls;

    @Override
    public Integer call() throws InterruptedException {
        ApplicationContext context = AgentApplication.run(new String[0], properties());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            context.close();
            stopped.countDown();
        }, "agent-stop"));
        stopped.await();
        return ExitCodes.OK;
    }

    /** The agent's configuration from the options given; the four services are switched off in its process. */
    Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        put(p, "tideline.agent.id", id);
        put(p, "tideline.agent.host", host);
        put(p, "tideline.agent.address", address);
        put(p, "micronaut.server.host", bind);
        put(p, "micronaut.server.port", port);
        put(p, "tideline.agent.capacity", capacity);
        put(p, PostgresNetworkConfiguration.LISTEN_ADDRESS, pgListen);
        put(p, PostgresNetworkConfiguration.CLIENT_NETWORKS, pgClients);
        if (pgTls) {
            p.put(PostgresTlsConfiguration.ENABLED, true);
        }
        put(p, FleetConfiguration.HOME, home);
        put(p, FleetConfiguration.SECRETS_DIR, secrets);
        put(p, "kafka.bootstrap.servers", kafka);
        put(p, ObjectStoreSettings.PREFIX + ".endpoint", s3);
        if (kafkaTls != null) {
            p.put(io.tideline.core.kafka.KafkaSecurityConfiguration.PREFIX + ".tls", true);
            p.put(io.tideline.core.kafka.KafkaSecurityConfiguration.PREFIX + ".directory", kafkaTls.toString());
            p.put(io.tideline.core.kafka.KafkaSecurityConfiguration.PREFIX + ".principal", io.tideline.core.kafka.KafkaPrincipals.agent(id));
            // topics and ACLs are the admin's; an agent holds only its own identity
            p.put(io.tideline.core.kafka.TopicsConfiguration.PREFIX + ".create-on-startup", false);
        }
        // only the agent runs in this process, although the CLI's classpath holds the services
        p.put(RestoreConfiguration.ENABLED, false);
        p.put(ArchiverConfig.ENABLED, false);
        p.put(RetentionConfiguration.ENABLED, false);
        p.put(SchedulerConfiguration.ENABLED, false);
        // nor the Backups view and its API (they would be served on the agent's port to whoever reaches it)
        p.put(ViewFactory.ENABLED, false);
        return p;
    }

    private static void put(Map<String, Object> p, String key, Object value) {
        if (value != null) {
            p.put(key, value.toString());
        }
    }
}
