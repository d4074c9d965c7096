package io.tideline.kubernetes;

import io.micronaut.context.annotation.ConfigurationReader;
import io.micronaut.core.io.service.ServiceDefinition;
import io.micronaut.core.io.service.SoftServiceLoader;
import io.micronaut.core.naming.NameUtils;
import io.micronaut.core.type.Argument;
import io.micronaut.http.server.HttpServerConfiguration;
import io.micronaut.http.ssl.ServerSslConfiguration;
import io.micronaut.http.ssl.SslConfiguration;
import io.micronaut.inject.BeanDefinition;
import io.micronaut.inject.BeanDefinitionReference;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The configuration keys the services read, taken from the code, never listed by hand:
 * <ul>
 *   <li>{@code tideline.*}: every component of every Tideline settings record (a record annotated
 *       {@code @ConfigurationProperties} on this module's classpath, which holds all four services and
 *       platform-local), as {@code <prefix>.<hyphenated component>} — the same walk core's
 *       {@code SettingsCheck} does at every start; a {@code Map} component takes any key below it;</li>
 *   <li>{@code kafka.*}: what micronaut-kafka hands to the clients — {@code kafka.<client config>} for
 *       every client, {@code kafka.producers.<name>.<producer config>},
 *       {@code kafka.consumers.<name>.<consumer config>} — checked against the Kafka client's own
 *       list of configs.</li>
 * </ul>
 * An environment variable may also name {@code micronaut.server.host} or {@code .port} (where a pod binds), and a key or
 * variable {@code micronaut.server.ssl.*}, a setting of Micronaut's server SSL configuration (HTTPS, issue 14).
 * Any other key is one no service reads.
 */
final class ServiceSettingKeys {

    private static final String OURS = "io.tideline.";
    private static final String SERVER = "micronaut.server.";
    private static final String SSL = SERVER + "ssl.";

    private final Set<String> exact = new TreeSet<>();
    private final Set<String> mapPrefixes = new TreeSet<>();

    private ServiceSettingKeys() {
    }

    static ServiceSettingKeys fromCode() {
        return fromCode(record -> true);
    }

    /** The keys of the settings records {@code records} accepts (e.g. those on one process's class path). */
    static ServiceSettingKeys fromCode(Predicate<Class<?>> records) {
        ServiceSettingKeys keys = new ServiceSettingKeys();
        @SuppressWarnings("rawtypes")
        SoftServiceLoader<BeanDefinitionReference> loader = SoftServiceLoader.load(BeanDefinitionReference.class);
        for (@SuppressWarnings("rawtypes") ServiceDefinition<BeanDefinitionReference> service : loader) {
            // only ours are loaded: another library's reference may fail to load without its optional dependencies
            if (!service.getName().startsWith(OURS) || !service.isPresent()) {
                continue;
            }
            BeanDefinitionReference<?> reference = service.load();
            if (!reference.isPresent() || !reference.hasStereotype(ConfigurationReader.class)) {
                continue;
            }
            BeanDefinition<?> definition = reference.load();
            if (!definition.getBeanType().isRecord() || !records.test(definition.getBeanType())) {
                continue;
            }
            String prefix = definition.stringValue(ConfigurationReader.class, "prefix").orElseThrow();
            for (Argument<?> component : definition.getConstructor().getArguments()) {
                String key = prefix + "." + NameUtils.hyphenate(component.getName());
                if (Map.class.isAssignableFrom(component.getType())) {
                    keys.mapPrefixes.add(key + ".");
                } else if (!component.getType().isRecord()) { // a nested record is a settings record of its own
                    keys.exact.add(key);
                }
            }
        }
        if (keys.exact.isEmpty()) {
            throw new IllegalStateException("no Tideline settings record found on the classpath");
        }
        return keys;
    }

    /** The Tideline keys found (for failure messages and a sanity check). */
    Set<String> tidelineKeys() {
        return Set.copyOf(exact);
    }

    /** Why {@code key} is read by no service, or empty when one reads it. */
    Optional<String> unread(String key) {
        if (key.startsWith("tideline.")) {
            boolean read = exact.contains(key) || mapPrefixes.stream().anyMatch(key::startsWith);
            return read ? Optional.empty() : Optional.of(key + " is not a component of any Tideline settings record");
        }
        if (key.startsWith("kafka.")) {
            return kafkaClientKey(key.substring("kafka.".length())) ? Optional.empty()
                    : Optional.of(key + " is not a Kafka client config as micronaut-kafka passes them");
        }
        if (key.startsWith(SSL)) {
            return sslSetting(key.substring(SSL.length())) ? Optional.empty()
                    : Optional.of(key + " is not a setting of Micronaut's server SSL configuration");
        }
        return Optional.of(key + " is neither a tideline.*, a kafka.* nor a " + SSL + "* key");
    }

    /** The same test for an environment variable, as Micronaut maps it ({@code A_B_C} → {@code a.b.c}, {@code a-b.c}, ...). */
    Optional<String> unreadVariable(String variable) {
        String dotted = variable.toLowerCase().replace('_', '.');
        Optional<String> exactMatch = exact.stream().filter(k -> k.replace('-', '.').equals(dotted)).findFirst();
        if (exactMatch.isPresent()) {
            return Optional.empty();
        }
        if (dotted.startsWith("kafka.") && kafkaClientKey(dotted.substring("kafka.".length()))) {
            return Optional.empty();
        }
        if (dotted.startsWith(SERVER) && httpServerSetting(dotted.substring(SERVER.length()))) {
            return Optional.empty();
        }
        if (dotted.startsWith(SSL)) {
            // MICRONAUT_SERVER_SSL_KEY_NAME may mean key-name or key.name: Micronaut tries both
            String[] words = dotted.substring(SSL.length()).split("\\.");
            String hyphenated = String.join("-", words);
            String underKey = words.length > 1 && words[0].equals("key")
                    ? "key." + String.join("-", java.util.Arrays.copyOfRange(words, 1, words.length)) : "";
            if (sslSetting(hyphenated) || (!underKey.isEmpty() && sslSetting(underKey))) {
                return Optional.empty();
            }
        }
        return Optional.of("environment variable " + variable + " maps to no key a service reads");
    }

    /**
     * {@code micronaut.server.<name>}: where the HTTP server binds, read by Micronaut's own settings bean; one word
     * only ({@code host}, {@code port}), each a setter of {@link HttpServerConfiguration}.
     */
    private static boolean httpServerSetting(String name) {
        if (!name.matches("[a-z]+")) {
            return false;
        }
        String setter = "set" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
        return Arrays.stream(HttpServerConfiguration.class.getMethods()).anyMatch(m -> m.getName().equals(setter) && m.getParameterCount() == 1);
    }

    /**
     * {@code micronaut.server.ssl.<name>}: a setter of Micronaut's {@link ServerSslConfiguration} ({@code enabled},
     * {@code port}, {@code key-name}, ...), or {@code micronaut.server.ssl.key.<name>} one of its key configuration's
     * ({@code password}, {@code alias}).
     */
    private static boolean sslSetting(String rest) {
        if (rest.startsWith("key.")) {
            return hasSetter(SslConfiguration.KeyConfiguration.class, rest.substring("key.".length()));
        }
        return hasSetter(ServerSslConfiguration.class, rest);
    }

    private static boolean hasSetter(Class<?> type, String hyphenated) {
        if (!hyphenated.matches("[a-z]+(-[a-z]+)*")) {
            return false;
        }
        StringBuilder setter = new StringBuilder("set");
        for (String word : hyphenated.split("-")) {
            setter.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
        }
        return Arrays.stream(type.getMethods()).anyMatch(m -> m.getName().equals(setter.toString()) && m.getParameterCount() == 1);
    }

    private static boolean kafkaClientKey(String rest) {
        Set<String> any = new TreeSet<>(ProducerConfig.configNames());
        any.retainAll(ConsumerConfig.configNames());
        any.retainAll(AdminClientConfig.configNames());
        if (any.contains(rest)) {
            return true;
        }
        String[] clientKindNameKey = rest.split("\\.", 3);
        if (clientKindNameKey.length == 3) {
            return switch (clientKindNameKey[0]) {
                case "producers" -> ProducerConfig.configNames().contains(clientKindNameKey[2]);
                case "consumers" -> ConsumerConfig.configNames().contains(clientKindNameKey[2]);
                default -> false;
            };
        }
        return false;
    }
}
