package io.tideline.platform.local.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Picks the ports instances listen on: a free port that no instance of the home uses (a stopped one
 * keeps its port) and that this allocator has not just handed to another instance starting
 * concurrently. The operating system proposes the candidates (an ephemeral bind), so two homes on one
 * machine rarely propose the same.
 */
final class PortAllocator {

    private static final int ATTEMPTS = 100;

    private final String host;
    private final IntSupplier candidates;
    private final Supplier<? extends Collection<Integer>> portsInUse;
    private final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();

    /** Candidates from the operating system on {@code host}; {@code portsInUse} are the home's instances' ports. */
    PortAllocator(String host, Supplier<? extends Collection<Integer>> portsInUse) {
        this(host, () -> ephemeralPort(host), portsInUse);
    }

    PortAllocator(String host, IntSupplier candidates, Supplier<? extends Collection<Integer>> portsInUse) {
        this.host = host;
        this.candidates = candidates;
        this.portsInUse = portsInUse;
    }

    /** A port for a new instance, or for one whose port was taken; never the same one twice. */
    int choose() {
        Set<Integer> used = new HashSet<>(handedOut);
        used.addAll(portsInUse.get());
        for (int i = 0; i < ATTEMPTS; i++) {
            int port = candidates.getAsInt();
            if (!used.contains(port) && handedOut.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port found on " + host);
    }

    /** Whether nothing listens on {@code port} now (a server about to start can still lose it). */
    boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int ephemeralPort(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + host, e);
        }
    }
}
