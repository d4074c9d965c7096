package io.tideline.fleet.hosts;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A {@code java} command line of this JVM's own runtime. */
final class Java {

    private Java() {
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
