package io.tideline.fleet.hosts;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * What runs on a service host: the four services (scheduler, archiver, retention, restore) in one
 * Micronaut context with one HTTP server, as the embedded runtime runs them, configured from a properties
 * file (mode 0600: it holds the storage admin key, which must not show in the process list). Prints
 * {@value #READY} once it serves.
 */
public final class ServiceHostMain {

    static final String READY = "tideline service host ready";

    private ServiceHostMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Properties file = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
            file.load(in);
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        file.forEach((k, v) -> properties.put((String) k, v));
        ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).banner(false)
                .properties(properties).start();
        context.findBean(EmbeddedServer.class).ifPresent(EmbeddedServer::start);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            context.close();
            stopped.countDown();
        }, "service-host-stop"));
        System.out.println(READY);
        System.out.flush();
        stopped.await();
    }
}
