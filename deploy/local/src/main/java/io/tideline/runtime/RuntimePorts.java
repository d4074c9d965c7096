package io.tideline.runtime;

import io.tideline.processes.FreePort;
import java.util.HashSet;
import java.util.Set;

/**
 * The loopback ports of one home, chosen free at the first start and kept in {@code ports.json}, so
 * that {@code down} + {@code up} comes back where clients expect it. A kept port that another
 * program took meanwhile is replaced (nothing stored depends on a port: the endpoints are
 * published in {@code runtime.json} at every start).
 */
public record RuntimePorts(int kafka, int kafkaController, int s3, int http) {

    public RuntimePorts {
        Set<Integer> seen = new HashSet<>();
        for (int port : new int[] {kafka, kafkaController, s3, http}) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            if (!seen.add(port)) {
                throw new IllegalArgumentException("ports must differ, " + port + " appears twice");
            }
        }
    }

    /** The kept ports of {@code home} (replacing any that are taken now), or free ones; saved. */
    public static RuntimePorts forHome(RuntimeHome home) {
        RuntimePorts ports = JsonFiles.read(home.portsFile(), RuntimePorts.class)
                .map(RuntimePorts::replaceTaken)
                .orElseGet(RuntimePorts::pick);
        JsonFiles.write(home.portsFile(), ports);
        return ports;
    }

    static RuntimePorts pick() {
        Set<Integer> used = new HashSet<>();
        return new RuntimePorts(fresh(used), fresh(used), fresh(used), fresh(used));
    }

    RuntimePorts replaceTaken() {
        Set<Integer> used = new HashSet<>(Set.of(kafka, kafkaController, s3, http));
        return new RuntimePorts(keepOrPick(kafka, used), keepOrPick(kafkaController, used),
                keepOrPick(s3, used), keepOrPick(http, used));
    }

    private static int keepOrPick(int port, Set<Integer> used) {
        return FreePort.isListening(port) ? fresh(used) : port;
    }

    private static int fresh(Set<Integer> used) {
        int port;
        do {
            port = FreePort.pick();
        } while (!used.add(port));
        return port;
    }
}
