package io.tideline.fleet.hosts;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A {@code java} command line of this JVM's own runtime. */
final class Java {

    private Java() {
    }

    /** The logging of the fleet's own JVMs (service hosts, agents): INFO of Tideline, WARN of the rest. */
    static String serviceLogback() {
        return "-Dlogback.configurationFile=" + Optional.ofNullable(Java.class.getClassLoader().getResource("logback-service-host.xml"))
                .map(u -> u.getPath()).orElse("");
    }

    static List<String> command(String maxHeap, String classpath, String mainClass, List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, mainClass));
        command.addAll(args);
        return command;
    }
}
