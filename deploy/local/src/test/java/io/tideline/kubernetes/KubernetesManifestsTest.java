package io.tideline.kubernetes;

import static io.tideline.kubernetes.KubernetesManifests.asMap;
import static io.tideline.kubernetes.KubernetesManifests.flatten;
import static io.tideline.kubernetes.KubernetesManifests.list;
import static io.tideline.kubernetes.KubernetesManifests.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.core.io.service.ServiceDefinition;
import io.micronaut.core.io.service.SoftServiceLoader;
import io.micronaut.inject.BeanDefinitionReference;
import io.tideline.core.kafka.KafkaConnection;
import io.tideline.core.kafka.KafkaPrincipals;
import io.tideline.core.kafka.KafkaSecurityConfiguration;
import io.tideline.core.postgres.PostgresTls;
import io.tideline.core.tls.IdentityCertificateProvider;
import io.tideline.core.tls.IdentityFiles;
import io.tideline.core.tls.TlsCredentials;
import io.tideline.core.tls.TlsSettings;
import org.apache.kafka.common.config.SslConfigs;
import io.tideline.agent.AgentApplication;
import io.tideline.agent.AgentConfiguration;
import io.tideline.archiver.ArchiverConfig;
import io.tideline.core.config.Defaults;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.kafka.KafkaAcls;
import io.tideline.core.kafka.TopicSpec;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.resource.PatternType;
import io.tideline.core.kafka.Topics;
import io.tideline.core.kafka.TopicsConfiguration;
import io.tideline.core.storage.StorageSecrets;
import io.tideline.kubernetes.KubernetesManifests.Document;
import io.tideline.monitoring.MonitoredSeries;
import io.tideline.platform.local.FleetConfiguration;
import io.tideline.platform.local.PostgresNetworkConfiguration;
import io.tideline.restore.InstancePlatformConfiguration;
import io.tideline.restore.RestoreConfiguration;
import io.tideline.retention.RetentionConfiguration;
import io.tideline.scheduler.SchedulerConfiguration;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Issue 13, part 5: the manifests of {@code deploy/kubernetes} say what the code does. Each check takes
 * its expectation from the code (core's {@code Topics}, the settings records, the secret names of
 * {@code InstanceCredentials} and {@code StorageSecrets}, the services' main classes) or from the file
 * the manifests copy ({@code deploy/monitoring}); a topic, a topic config, a key or a secret file that
 * drifts fails here, with what differs.
 */
class KubernetesManifestsTest {

    private static final String CONFIG_MAP = "tideline-config";
    private static final String CONFIG_FILE = "application.yml";
    /** Variables read by the JVM or by Micronaut's bootstrap, not configuration keys of a service. */
    private static final Set<String> NOT_SETTINGS = Set.of("JAVA_TOOL_OPTIONS", "MICRONAUT_CONFIG_FILES");
    private static final String AGENT = "tideline-agent";
    /** The Strimzi {@code Kafka} resource: its name prefixes the Secrets Strimzi writes ({@code <name>-cluster-ca-cert}). */
    private static final String KAFKA_CLUSTER = "tideline";
    /** A class of each service's module: the agent's process has none of their settings (nor their beans). */
    private static final List<Class<?>> SERVICE_MODULES = List.of(SchedulerConfiguration.class, ArchiverConfig.class,
            RetentionConfiguration.class, RestoreConfiguration.class);

    private final KubernetesManifests manifests = KubernetesManifests.load();
    private final Map<String, String> config = serviceConfig(manifests);
    private final ServiceSettingKeys settingKeys = ServiceSettingKeys.fromCode();

    @Test
    void everyTopicTheCodeDeclaresHasAKafkaTopicWithItsPartitionsReplicasAndConfigsAndNoOtherTopicIsThere() {
        List<TopicSpec> specs = Topics.specs(topicsConfiguration(config));
        Map<String, Document> byTopic = new TreeMap<>();
        for (Document topic : manifests.ofKind("KafkaTopic")) {
            String name = (String) map(topic.body(), "spec").get("topicName");
            assertTrue(byTopic.put(name, topic) == null, "two KafkaTopics for " + name);
            assertEquals("tideline", map(topic.body(), "metadata").get("labels") instanceof Map<?, ?> labels
                    ? labels.get("strimzi.io/cluster") : null, topic.name() + " names the Kafka cluster for the topic operator");
        }
        Set<String> declared = specs.stream().map(TopicSpec::name).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(declared, byTopic.keySet(), "KafkaTopics (left: the code's topics, right: the manifests')");
        for (TopicSpec spec : specs) {
            Map<String, Object> topic = map(byTopic.get(spec.name()).body(), "spec");
            assertEquals(spec.partitions(), topic.get("partitions"), spec.name() + " partitions");
            assertEquals((int) spec.replicationFactor(), topic.get("replicas"), spec.name() + " replicas");
            Map<String, String> configs = new TreeMap<>();
            map(topic, "config").forEach((k, v) -> configs.put(k, String.valueOf(v)));
            assertEquals(new TreeMap<>(spec.configs()), configs, spec.name() + " topic configs (left: the code's)");
        }
    }

    @Test
    void theKafkaClusterHoldsTheReplicasTheTopicsAsk() {
        TopicsConfiguration topics = topicsConfiguration(config);
        int brokers = manifests.ofKind("KafkaNodePool").stream()
                .filter(pool -> String.valueOf(map(pool.body(), "spec").get("roles")).contains("broker"))
                .mapToInt(pool -> (Integer) map(pool.body(), "spec").get("replicas")).sum();
        assertTrue(brokers >= topics.replicationFactor(), brokers + " brokers for replication factor " + topics.replicationFactor());
        Map<String, Object> kafka = map(map(manifests.one("Kafka", "tideline").body(), "spec"), "kafka");
        Map<String, Object> brokerConfig = map(kafka, "config");
        assertEquals(topics.replicationFactor(), ((Number) brokerConfig.get("default.replication.factor")).intValue());
        String minInSync = Topics.spec(Topics.INSTANCES, topics).configs().get("min.insync.replicas");
        assertEquals(minInSync, String.valueOf(brokerConfig.get("min.insync.replicas")), "the broker default is the topics'");
        assertEquals(false, brokerConfig.get("auto.create.topics.enable"), "only the topic operator makes topics");
        String bootstrap = "tideline-kafka-bootstrap:" + list(kafka, "listeners").get(0).get("port");
        for (Map<String, Object> container : containers()) {
            assertEquals(bootstrap, env(container).get("KAFKA_BOOTSTRAP_SERVERS"), container.get("name") + " reaches the brokers");
        }
    }

    /**
     * Issue 14.1: a KafkaUser per principal of core's ACL table with exactly its grants (Strimzi's spelling of
     * the same bindings: operation names in CamelCase, {@code prefix} for Kafka's PREFIXED), and no other user.
     */
    @Test
    void everyPrincipalOfTheAclTableIsAKafkaUserWithExactlyItsGrants() {
        Map<String, Set<String>> wanted = new TreeMap<>();
        for (KafkaAcls grant : KafkaAcls.table(List.of())) {
            wanted.put(grant.principal(), grantLines(grant));
        }
        Map<String, Set<String>> present = new TreeMap<>();
        for (Document user : manifests.ofKind("KafkaUser")) {
            Map<String, Object> spec = map(user.body(), "spec");
            assertEquals("tls", map(spec, "authentication").get("type"), user.name() + " authenticates with its certificate");
            Map<String, Object> authorization = map(spec, "authorization");
            assertEquals("simple", authorization.get("type"), user.name());
            Set<String> lines = new TreeSet<>();
            for (Map<String, Object> acl : list(authorization, "acls")) {
                Map<String, Object> resource = map(acl, "resource");
                String name = "cluster".equals(resource.get("type")) ? "" : resource.get("name") + " " + resource.get("patternType");
                for (Object operation : (List<?>) acl.get("operations")) {
                    lines.add(resource.get("type") + " " + name + " " + operation);
                }
            }
            present.put(user.name(), lines);
            // the agents' principals are agent-<id>, each with the grant of KafkaAcls.agent(id)
            if (user.name().startsWith(KafkaPrincipals.AGENT_PREFIX)) {
                wanted.put(user.name(), grantLines(KafkaAcls.agent(user.name().substring(KafkaPrincipals.AGENT_PREFIX.length()))));
            }
        }
        assertEquals(wanted, present, "KafkaUsers and their ACLs (left: core's KafkaAcls.table and KafkaAcls.agent)");
    }

    /** A grant's bindings in Strimzi's spelling: operation names in CamelCase, {@code prefix} for Kafka's PREFIXED. */
    private static Set<String> grantLines(KafkaAcls grant) {
        Set<String> lines = new TreeSet<>();
        for (AclBinding binding : grant.bindings()) {
            String resource = binding.pattern().resourceType().name().toLowerCase(java.util.Locale.ROOT);
            String name = binding.pattern().resourceType() == org.apache.kafka.common.resource.ResourceType.CLUSTER ? ""
                    : binding.pattern().name() + " " + (binding.pattern().patternType() == PatternType.PREFIXED ? "prefix" : "literal");
            lines.add(resource + " " + name + " " + camel(binding.entry().operation().name()));
        }
        return lines;
    }

    /**
     * Issue 14 (Kubernetes): the brokers take clients only over TLS with a client certificate, authorize by the
     * KafkaUsers' ACLs, and give every right only to the admin principal the code names (not to a service); the User
     * Operator runs, or no KafkaUser gets its certificate.
     */
    @Test
    void theBrokersTakeOnlyTlsClientsWithCertificatesAndOnlyTheAdminIsASuperUser() {
        Map<String, Object> spec = map(manifests.one("Kafka", KAFKA_CLUSTER).body(), "spec");
        Map<String, Object> kafka = map(spec, "kafka");
        assertFalse(list(kafka, "listeners").isEmpty());
        for (Map<String, Object> listener : list(kafka, "listeners")) {
            assertEquals(true, listener.get("tls"), listener.get("name") + ": TLS");
            assertEquals("tls", map(listener, "authentication").get("type"), listener.get("name") + ": clients authenticate by certificate");
        }
        Map<String, Object> authorization = map(kafka, "authorization");
        assertEquals("simple", authorization.get("type"), "ACLs decide");
        assertEquals(List.of("CN=" + KafkaPrincipals.ADMIN), authorization.get("superUsers"), "the admin only");
        assertTrue(map(spec, "entityOperator").containsKey("userOperator"), "the User Operator issues the KafkaUsers' certificates");
    }

    /**
     * Issue 14 (Kubernetes): every service's Deployment and the agents' DaemonSet reach Kafka over TLS as the principal
     * whose grants its code needs (a service: the owner of its {@code @KafkaListener} groups; an agent: an agent
     * principal), a KafkaUser of that name, whose Secret is mounted where {@code KafkaConnection.tls} looks for that
     * principal's key and certificate, beside Strimzi's cluster CA where it looks for the brokers' CA.
     */
    @Test
    void everyWorkloadReachesKafkaOverTlsAsThePrincipalItsCodeNeedsWithThatUsersSecret() throws Exception {
        Set<String> users = manifests.ofKind("KafkaUser").stream().map(Document::name).collect(Collectors.toSet());
        String clusterCa = KAFKA_CLUSTER + "-cluster-ca-cert"; // Strimzi's Secret of the cluster CA's certificate
        for (Document workload : workloads()) {
            Map<String, Object> pod = podSpec(workload);
            for (Map<String, Object> container : list(pod, "containers")) {
                Map<String, String> settings = settings(container);
                String who = workload.name() + "/" + container.get("name");
                assertEquals("true", settings.get(KafkaSecurityConfiguration.PREFIX + ".tls"), who + ": Kafka over TLS");
                String directory = settings.get(KafkaSecurityConfiguration.PREFIX + ".directory");
                String principal = settings.get(KafkaSecurityConfiguration.PREFIX + ".principal");
                assertTrue(directory != null && principal != null, who + " sets " + KafkaSecurityConfiguration.PREFIX + ".directory and .principal");

                Class<?> main = mainClass(container);
                if (main == AgentApplication.class) {
                    assertTrue(principal.startsWith(KafkaPrincipals.AGENT_PREFIX), who + ": an agent's principal, not " + principal);
                } else {
                    assertEquals(Set.of(principal), listenerOwners(moduleOf(main)),
                            who + ": the principal whose groups its @KafkaListeners join");
                }
                assertTrue(users.contains(principal), who + ": " + principal + " is a KafkaUser");

                // where the code reads the principal's identity and the brokers' CA
                Map<String, String> tls = KafkaConnection.tls("unused:9093", Path.of(directory), principal).security();
                Path identityDir = Path.of(tls.get(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG)).getParent();
                Map<String, MountedSecretFiles.SecretFile> files = MountedSecretFiles.of(pod, container).files();
                assertEquals(new MountedSecretFiles.SecretFile(principal, "user.crt", true),
                        files.get(identityDir.resolve(IdentityFiles.CERTIFICATE).toString()), who + ": its KafkaUser's certificate");
                assertEquals(new MountedSecretFiles.SecretFile(principal, "user.key", true),
                        files.get(identityDir.resolve(IdentityFiles.KEY).toString()), who + ": its KafkaUser's key");
                assertEquals(new MountedSecretFiles.SecretFile(clusterCa, "ca.crt", true),
                        files.get(tls.get(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG)), who + ": the brokers' CA");
            }
        }
    }

    /**
     * Issue 14 (Kubernetes): each service serves HTTPS only, on its port, from the identity {@code tideline.tls.identity}
     * names, which is a cert-manager certificate of the Tideline CA issuer mounted where the secret store reads
     * {@code tls/<name>/} ({@code TlsCredentials}), naming its Service; probes and Prometheus speak HTTPS and check the
     * name; every workload trusts the Tideline CA's certificate (never its key) where {@code tideline.tls.ca-file} says.
     */
    @Test
    void everyServiceServesHttpsFromACertManagerCertificateWhereTheSecretStoreReadsIt() throws Exception {
        Map<String, Object> ssl = map(map(map(asMap(new Yaml().load((String) map(manifests.one("ConfigMap", CONFIG_MAP).body(), "data")
                .get(CONFIG_FILE)), CONFIG_FILE), "micronaut"), "server"), "ssl");
        assertEquals(IdentityCertificateProvider.NAME, ssl.get("key-name"), "the server's key comes from the secret store");
        assertEquals(IdentityCertificateProvider.IN_MEMORY_KEY_PASSWORD, map(ssl, "key").get("password"));
        Map<String, Document> certificateBySecret = new TreeMap<>();
        manifests.ofKind("Certificate").forEach(c -> certificateBySecret.put((String) map(c.body(), "spec").get("secretName"), c));
        String caIssuer = manifests.ofKind("Issuer").stream().filter(i -> map(i.body(), "spec").containsKey("ca"))
                .map(Document::name).findFirst().orElseThrow(() -> new AssertionError("no CA Issuer"));
        String caSecret = (String) map(map(manifests.one("Issuer", caIssuer).body(), "spec"), "ca").get("secretName");
        String scrapeName = (String) map(list(map(manifests.one("ServiceMonitor", "tideline").body(), "spec"), "endpoints").get(0),
                "tlsConfig").get("serverName");
        String secretsDir = config.get(FleetConfiguration.SECRETS_DIR);
        String caFile = config.get(TlsSettings.CA_FILE);
        for (Document workload : workloads()) {
            Map<String, Object> pod = podSpec(workload);
            for (Map<String, Object> container : list(pod, "containers")) {
                String who = workload.name() + "/" + container.get("name");
                MountedSecretFiles files = MountedSecretFiles.of(pod, container);
                assertEquals(new MountedSecretFiles.SecretFile(caSecret, "ca.crt", true), files.files().get(caFile),
                        who + ": the Tideline CA's certificate at " + TlsSettings.CA_FILE);
                assertFalse(files.files().values().stream().anyMatch(f -> f.secret().equals(caSecret) && !f.key().equals("ca.crt")),
                        who + ": nothing of the CA's Secret but its certificate");
                if (mainClass(container) == AgentApplication.class) {
                    continue; // the agents' HTTPS: docs/deploy.md, "What is not there yet"
                }
                Map<String, String> env = env(container);
                assertEquals("true", env.get("MICRONAUT_SERVER_SSL_ENABLED"), who + ": HTTPS");
                Map<String, Object> port = list(container, "ports").stream().filter(p -> "https".equals(p.get("name"))).findFirst()
                        .orElseThrow(() -> new AssertionError(who + " has no port named https"));
                assertEquals(String.valueOf(port.get("containerPort")), env.get("MICRONAUT_SERVER_SSL_PORT"), who + ": HTTPS on its port");
                for (String probe : List.of("readinessProbe", "livenessProbe")) {
                    assertEquals("HTTPS", map(map(container, probe), "httpGet").get("scheme"), who + " " + probe);
                }
                String identity = env.get(variableOf(TlsSettings.IDENTITY));
                assertTrue(identity != null, who + " names its HTTPS identity (" + TlsSettings.IDENTITY + ")");
                Map<String, MountedSecretFiles.SecretFile> mine = new TreeMap<>();
                for (var ref : List.of(TlsCredentials.certificateRef(identity), TlsCredentials.keyRef(identity), TlsCredentials.caRef(identity))) {
                    MountedSecretFiles.SecretFile file = files.files().get(secretsDir + "/" + ref.value());
                    assertTrue(file != null && file.readOnly(), who + ": " + ref.value() + " in the secret store, read-only");
                    mine.put(ref.value(), file);
                }
                Set<String> secrets = mine.values().stream().map(MountedSecretFiles.SecretFile::secret).collect(Collectors.toSet());
                assertEquals(1, secrets.size(), who + ": one Secret holds the identity");
                assertEquals(Set.of("tls.crt", "tls.key", "ca.crt"), mine.values().stream().map(MountedSecretFiles.SecretFile::key)
                        .collect(Collectors.toSet()), who);
                mine.forEach((path, file) -> assertTrue(path.endsWith("/" + file.key()), path + " is the Secret's " + file.key()));
                Document certificate = certificateBySecret.get(secrets.iterator().next());
                assertTrue(certificate != null, who + ": the Secret " + secrets + " is a cert-manager Certificate's");
                Map<String, Object> spec = map(certificate.body(), "spec");
                assertEquals(caIssuer, map(spec, "issuerRef").get("name"), certificate.name() + " is signed by the Tideline CA");
                List<?> names = (List<?>) spec.get("dnsNames");
                assertTrue(names.contains(scrapeName), certificate.name() + " names what Prometheus checks");
                Document service = manifests.one("Service", workload.name());
                assertTrue(names.contains(service.name()), certificate.name() + " names the Service " + service.name());
            }
        }
        Map<String, Object> endpoint = list(map(manifests.one("ServiceMonitor", "tideline").body(), "spec"), "endpoints").get(0);
        assertEquals("https", endpoint.get("scheme"));
        assertEquals(Map.of("secret", Map.of("name", caSecret, "key", "ca.crt")), map(map(endpoint, "tlsConfig"), "ca"),
                "Prometheus trusts the Tideline CA");
    }

    private static String camel(String operation) {
        StringBuilder out = new StringBuilder();
        for (String word : operation.split("_")) {
            out.append(word.charAt(0)).append(word.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return out.toString();
    }

    @Test
    void everyConfigurationKeyAndVariableSetIsOneAServiceReads() {
        ServiceSettingKeys keys = ServiceSettingKeys.fromCode();
        assertTrue(keys.tidelineKeys().containsAll(Set.of(TopicsConfiguration.PREFIX + ".partitions",
                "tideline.fleet.secrets-dir", "tideline.archiver.wal.flush-interval")), "the walk finds the settings records");
        List<String> unread = new ArrayList<>();
        config.keySet().forEach(key -> keys.unread(key).ifPresent(unread::add));
        for (Map<String, Object> container : containers()) {
            env(container).keySet().stream().filter(v -> !NOT_SETTINGS.contains(v))
                    .forEach(variable -> keys.unreadVariable(variable).ifPresent(unread::add));
        }
        assertEquals(List.of(), unread);
    }

    @Test
    void everyPodReadsTheConfigMapItMounts() {
        for (Document deployment : workloads()) {
            Map<String, Object> pod = podSpec(deployment);
            for (Map<String, Object> container : list(pod, "containers")) {
                String file = env(container).get("MICRONAUT_CONFIG_FILES");
                String volume = mountedVolume(pod, container, Path.of(file).getParent().toString());
                assertEquals(CONFIG_MAP, map(volumeNamed(pod, volume), "configMap").get("name"), deployment.name() + " mounts the config");
            }
        }
    }

    @Test
    void secretsAreMountedAsTheDirectorySecretStoresFilesWithEveryFileTheCodeReads() {
        String secretsDir = config.get(FleetConfiguration.SECRETS_DIR);
        int instances = 0;
        for (Document deployment : workloads()) {
            Map<String, Object> pod = podSpec(deployment);
            for (Map<String, Object> container : list(pod, "containers")) {
                Map<String, MountedSecretFiles.SecretFile> store = MountedSecretFiles.of(pod, container).under(secretsDir);
                Map<String, Set<String>> filesByInstance = new TreeMap<>();
                store.forEach((path, file) -> {
                    assertTrue(file.readOnly(), deployment.name() + ": " + path + ": the services only read the secrets they are given");
                    String[] parts = path.split("/");
                    assertTrue(parts.length == 3 && (parts[0].equals("instances") || parts[0].equals("tls")),
                            path + ": instances/<id>/<name> or tls/<name>/<file>");
                    if (parts[0].equals("instances")) {
                        filesByInstance.computeIfAbsent(parts[1], id -> new TreeSet<>()).add(path);
                        assertEquals(parts[2], file.key(), path + ": the Secret's key is the file's name");
                    }
                });
                filesByInstance.forEach((id, files) ->
                        assertEquals(secretFilesOf(InstanceId.of(id)), files, deployment.name() + ": the secret files of " + id));
                instances += filesByInstance.size();
            }
        }
        assertTrue(instances > 0, "some service mounts an instance's secrets, showing the layout");
    }

    @Test
    void everyServiceStartsARealMainClassFromItsImage() throws Exception {
        Map<String, Object> kustomization = kustomization();
        Set<String> images = list(kustomization, "images").stream().map(i -> (String) i.get("name")).collect(Collectors.toSet());
        for (Map<String, Object> container : containers()) {
            List<?> command = (List<?>) container.get("command");
            String mainClass = (String) command.get(command.size() - 1);
            Method main = Class.forName(mainClass).getMethod("main", String[].class);
            assertTrue(Modifier.isStatic(main.getModifiers()), mainClass + ".main is static");
            String image = (String) container.get("image");
            assertTrue(images.contains(image), image + " has its tag in kustomization.yaml's images");
        }
    }

    @Test
    void everyManifestIsAResourceOfTheKustomization() throws IOException {
        Set<String> resources = new TreeSet<>(((List<?>) kustomization().get("resources")).stream().map(String::valueOf).toList());
        Set<String> files;
        try (var list = Files.list(manifests.dir())) {
            files = list.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(files, resources);
    }

    @Test
    void prometheusScrapesEveryServiceKeepingTheInstanceLabelAndLoadsTheSameAlertRules() throws IOException {
        Map<String, Object> monitor = map(manifests.one("ServiceMonitor", "tideline").body(), "spec");
        Map<String, Object> selector = map(map(monitor, "selector"), "matchLabels");
        Map<String, Object> endpoint = list(monitor, "endpoints").get(0);
        assertEquals("/prometheus", endpoint.get("path"));
        assertEquals(true, endpoint.get("honorLabels"), "the instance label of the per-instance series is kept");
        for (Document service : manifests.ofKind("Service")) {
            Map<String, Object> labels = map(map(service.body(), "metadata"), "labels");
            assertTrue(labels.entrySet().containsAll(selector.entrySet()), service.name() + " is scraped");
            assertTrue(list(map(service.body(), "spec"), "ports").stream().anyMatch(p -> endpoint.get("port").equals(p.get("name"))),
                    service.name() + " has the scraped port");
        }
        Map<String, Object> alerts;
        try (Reader reader = Files.newBufferedReader(MonitoredSeries.dir().resolve("prometheus/tideline-alerts.yml"))) {
            alerts = asMap(new Yaml().load(reader), "tideline-alerts.yml");
        }
        assertEquals(alerts, map(manifests.one("PrometheusRule", "tideline").body(), "spec"),
                "the PrometheusRule is deploy/monitoring/prometheus/tideline-alerts.yml");
    }

    /**
     * The restore agent's DaemonSet sets only keys the agent's own process reads (its class path: the agent, core,
     * restore-host, platform-local — not the four services, whose records {@code tideline agent} switches off), and
     * the ones it cannot run without: its id, its state directory on the node's disk, the address its servers listen on.
     */
    @Test
    void theAgentSetsOnlyKeysTheAgentReadsAndWhatItNeedsOnAHostOfItsOwn() {
        Document agent = manifests.one("DaemonSet", AGENT);
        Map<String, Object> pod = podSpec(agent);
        Map<String, Object> container = list(pod, "containers").get(0);
        List<?> command = (List<?>) container.get("command");
        assertEquals(AgentApplication.class.getName(), command.get(command.size() - 1), "the agent's main class");
        Set<URL> services = SERVICE_MODULES.stream().map(KubernetesManifestsTest::moduleOf).collect(Collectors.toSet());
        ServiceSettingKeys agentKeys = ServiceSettingKeys.fromCode(record -> !services.contains(moduleOf(record)));
        assertTrue(agentKeys.tidelineKeys().containsAll(Set.of(AgentConfiguration.ID, FleetConfiguration.HOME,
                PostgresNetworkConfiguration.LISTEN_ADDRESS)), "the walk finds the agent's records");
        assertFalse(agentKeys.tidelineKeys().contains(InstancePlatformConfiguration.TYPE), "a service's key is not the agent's");
        Map<String, String> env = env(container);
        List<String> unread = new ArrayList<>();
        env.keySet().stream().filter(v -> !NOT_SETTINGS.contains(v))
                .forEach(variable -> agentKeys.unreadVariable(variable).ifPresent(unread::add));
        assertEquals(List.of(), unread, "variables of the agent that its process does not read");

        for (String required : List.of(AgentConfiguration.ID, FleetConfiguration.HOME, PostgresNetworkConfiguration.LISTEN_ADDRESS)) {
            assertTrue(env.containsKey(variableOf(required)), "the agent's DaemonSet sets " + required + " (" + variableOf(required) + ")");
        }
        String home = env.get(variableOf(FleetConfiguration.HOME));
        String homeVolume = mountedVolume(pod, container, home);
        assertTrue(volumeNamed(pod, homeVolume).containsKey("hostPath"), "the agent's servers and journal are on the node's disk");
        assertEquals(true, pod.get("hostNetwork"), "its servers listen on, and are handed out with, the node's address");
        String port = env.get("MICRONAUT_SERVER_PORT");
        assertEquals("http://$(MICRONAUT_SERVER_HOST):" + port, env.get(variableOf("tideline.agent.address")),
                "the announced address is where it binds");
        assertTrue(list(container, "ports").stream().anyMatch(p -> port.equals(String.valueOf(p.get("containerPort")))));
    }

    @Test
    void theRestoreServiceCoordinatesTheAgentsAndSharesTheirSecretStore() {
        assertEquals(InstancePlatformConfiguration.Type.AGENT.name(), config.get(InstancePlatformConfiguration.TYPE).toUpperCase(),
                InstancePlatformConfiguration.TYPE);
        Document restore = manifests.one("Deployment", "tideline-restore");
        assertTrue((Integer) map(restore.body(), "spec").get("replicas") >= 2, "two coordinators share the requests");
        // Each restore's read-only identity and the new instance's passwords are written by the coordinator and
        // read (and rotated) by the agent at run time: one store, writable by both.
        String secretsDir = config.get("tideline.fleet.secrets-dir");
        Set<String> claims = new TreeSet<>();
        for (Document workload : List.of(restore, manifests.one("DaemonSet", AGENT))) {
            Map<String, Object> pod = podSpec(workload);
            Map<String, Object> container = list(pod, "containers").get(0);
            Map<String, Object> mount = list(container, "volumeMounts").stream().filter(m -> secretsDir.equals(m.get("mountPath")))
                    .findFirst().orElseThrow(() -> new AssertionError(workload.name() + " mounts no secret store at " + secretsDir));
            assertFalse(Boolean.TRUE.equals(mount.get("readOnly")), workload.name() + " writes secrets");
            claims.add((String) map(volumeNamed(pod, (String) mount.get("name")), "persistentVolumeClaim").get("claimName"));
        }
        assertEquals(1, claims.size(), "the coordinator and the agents mount one claim: " + claims);
        Document claim = manifests.one("PersistentVolumeClaim", claims.iterator().next());
        assertTrue(String.valueOf(map(claim.body(), "spec").get("accessModes")).contains("ReadWriteMany"), "shared by pods on many nodes");
    }

    // --- the code's side

    /**
     * The topic settings as the services bind them from the ConfigMap, the record's defaults for the rest. (Not
     * through a Micronaut context: on this classpath it would start every service's {@code @Context} beans.)
     */
    private static TopicsConfiguration topicsConfiguration(Map<String, String> config) {
        TopicsConfiguration defaults = TopicsConfiguration.defaults();
        String prefix = TopicsConfiguration.PREFIX + ".";
        Map<String, Integer> topicPartitions = new HashMap<>();
        config.forEach((key, value) -> {
            if (key.startsWith(prefix + "topic-partitions.")) {
                topicPartitions.put(key.substring((prefix + "topic-partitions.").length()), Defaults.read(value, Integer.class));
            }
        });
        return new TopicsConfiguration(
                read(config, prefix + "partitions", Integer.class, defaults.partitions()),
                read(config, prefix + "replication-factor", Short.class, defaults.replicationFactor()),
                read(config, prefix + "audit-retention", Duration.class, defaults.auditRetention()),
                read(config, prefix + "create-on-startup", Boolean.class, defaults.createOnStartup()),
                read(config, prefix + "min-insync-replicas", Short.class, defaults.minInsyncReplicas()),
                topicPartitions);
    }

    private static <T> T read(Map<String, String> config, String key, Class<T> type, T fallback) {
        String text = config.get(key);
        return text == null ? fallback : Defaults.read(text, type);
    }

    /** The files a directory secret store holds for one instance: every secret the code puts there. */
    private static Set<String> secretFilesOf(InstanceId id) {
        InstanceCredentials credentials = InstanceCredentials.standard(id);
        return Set.of(credentials.adminSecret().value(), credentials.replicationSecret().value(),
                InstanceCredentials.ownerSecret(id).value(), StorageSecrets.accessKey(id).value(), StorageSecrets.secretKey(id).value(),
                PostgresTls.caSecret(id).value());
    }

    // --- the manifests' side

    private static Map<String, String> serviceConfig(KubernetesManifests manifests) {
        Map<String, Object> data = map(manifests.one("ConfigMap", CONFIG_MAP).body(), "data");
        return flatten(asMap(new Yaml().load((String) data.get(CONFIG_FILE)), CONFIG_MAP + "/" + CONFIG_FILE));
    }

    private Map<String, Object> kustomization() throws IOException {
        try (Reader reader = Files.newBufferedReader(manifests.dir().resolve("kustomization.yaml"))) {
            return asMap(new Yaml().load(reader), "kustomization.yaml");
        }
    }

    private List<Map<String, Object>> containers() {
        List<Map<String, Object>> containers = new ArrayList<>();
        workloads().forEach(d -> containers.addAll(list(podSpec(d), "containers")));
        return containers;
    }

    /** The ConfigMap's settings with the container's environment over them (as Micronaut reads them: the variables win). */
    private Map<String, String> settings(Map<String, Object> container) {
        Map<String, String> settings = new TreeMap<>(config);
        env(container).forEach((variable, value) -> settingKeys.tidelineKeys().stream()
                .filter(k -> variableOf(k).equals(variable)).findFirst().ifPresent(k -> settings.put(k, value)));
        return settings;
    }

    private static Class<?> mainClass(Map<String, Object> container) throws ClassNotFoundException {
        List<?> command = (List<?>) container.get("command");
        return Class.forName((String) command.get(command.size() - 1));
    }

    /**
     * The principals owning the consumer groups of the {@code @KafkaListener}s of {@code module}
     * ({@link KafkaPrincipals#ownerOfGroup}; a group id's placeholder resolved with the ConfigMap, else its default).
     */
    private Set<String> listenerOwners(URL module) {
        Set<String> owners = new TreeSet<>();
        @SuppressWarnings("rawtypes")
        SoftServiceLoader<BeanDefinitionReference> loader = SoftServiceLoader.load(BeanDefinitionReference.class);
        for (@SuppressWarnings("rawtypes") ServiceDefinition<BeanDefinitionReference> service : loader) {
            if (!service.getName().startsWith("io.tideline.") || !service.isPresent()) {
                continue;
            }
            BeanDefinitionReference<?> reference = service.load();
            if (!reference.isPresent() || !reference.hasStereotype(KafkaListener.class) || !module.equals(moduleOf(reference.getBeanType()))) {
                continue;
            }
            reference.load().stringValue(KafkaListener.class, "groupId").map(this::resolve)
                    .flatMap(KafkaPrincipals::ownerOfGroup).ifPresent(owners::add);
        }
        return owners;
    }

    private String resolve(String value) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{([^:}]+):([^}]*)}").matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(config.getOrDefault(m.group(1), m.group(2))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The services' Deployments and the agents' DaemonSet. */
    private List<Document> workloads() {
        List<Document> workloads = new ArrayList<>(manifests.ofKind("Deployment"));
        workloads.addAll(manifests.ofKind("DaemonSet"));
        return workloads;
    }

    /** The environment variable Micronaut maps to {@code key} ({@code tideline.agent.id} → {@code TIDELINE_AGENT_ID}). */
    private static String variableOf(String key) {
        return key.toUpperCase().replace('.', '_').replace('-', '_');
    }

    private static URL moduleOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        return source == null ? null : source.getLocation();
    }

    private static Map<String, Object> podSpec(Document deployment) {
        return map(map(map(deployment.body(), "spec"), "template"), "spec");
    }

    private static Map<String, String> env(Map<String, Object> container) {
        Map<String, String> env = new LinkedHashMap<>();
        list(container, "env").forEach(e -> env.put((String) e.get("name"), String.valueOf(e.get("value"))));
        return env;
    }

    private static String mountedVolume(Map<String, Object> pod, Map<String, Object> container, String path) {
        return list(container, "volumeMounts").stream().filter(m -> path.equals(m.get("mountPath")))
                .map(m -> (String) m.get("name")).findFirst()
                .orElseThrow(() -> new AssertionError(container.get("name") + " mounts nothing at " + path));
    }

    private static Map<String, Object> volumeNamed(Map<String, Object> pod, String name) {
        return list(pod, "volumes").stream().filter(v -> name.equals(v.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    /** The key → path items of a secret volume or of the secrets of a projected one. */
    private static List<Map<String, Object>> secretItems(Map<String, Object> volume) {
        List<Map<String, Object>> items = new ArrayList<>(list(map(volume, "secret"), "items"));
        for (Map<String, Object> source : list(map(volume, "projected"), "sources")) {
            items.addAll(list(map(source, "secret"), "items"));
        }
        return items;
    }
}
