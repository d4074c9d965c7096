package io.tideline.fleet.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hosts of one fleet on this machine: a bridge ({@code tlf<net>-br}, address {@code 10.231.<net>.1},
 * through which the test itself reaches the hosts) and per host a network namespace joined to it by a
 * veth pair, with an address of the subnet {@code 10.231.<net>.0/24}.
 *
 * <p>{@code <net>} identifies the run: it is held by an exclusive lock on {@code <lock dir>/net-<net>.lock}
 * for as long as the run lives. The kernel drops the lock when the process dies, however it dies, so a
 * run that finds {@code tlf<net>-*} namespaces or links whose lock it can take knows they are left over
 * from a crashed run and removes them ({@link #sweepLeftovers}); those of a live parallel run it leaves
 * alone. {@link #close} removes what this run made: every process in its namespaces (SIGKILL), the
 * namespaces, the bridge.
 */
public final class FleetNetwork implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FleetNetwork.class);

    /** Every namespace and link of the fleet harness starts with it; nothing else is ever touched. */
    public static final String PREFIX = "tlf";
    private static final String SUBNET_PREFIX = "10.231.";
    private static final int MAX_NET = 250;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

    private final Shell shell;
    private final int net;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Path lockFile;
    private final String bridge;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private boolean closed;

    private FleetNetwork(Shell shell, int net, FileChannel lockChannel, FileLock lock, Path lockFile) {
        this.shell = shell;
        this.net = net;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.lockFile = lockFile;
        this.bridge = PREFIX + net + "-br";
    }

    /**
     * Why namespaces cannot be made here (not root, no {@code ip}), or empty when they can. Tried for
     * real: a namespace is made and removed again.
     */
    public static Optional<String> unavailableReason() {
        Shell shell = new Shell(COMMAND_TIMEOUT);
        Shell.Result id;
        try {
            id = shell.run(List.of("id", "-u"));
        } catch (RuntimeException e) {
            return Optional.of("cannot run id: " + e.getMessage());
        }
        if (!id.output().equals("0")) {
            return Optional.of("the fleet harness needs root to make network namespaces (uid " + id.output() + ")");
        }
        String probe = PREFIX + "probe" + ProcessHandle.current().pid() % 100000;
        try {
            Shell.Result add = shell.run(List.of("ip", "netns", "add", probe));
            if (!add.ok()) {
                return Optional.of("ip netns add failed: " + add.output());
            }
            shell.run(List.of("ip", "netns", "del", probe));
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of("cannot run ip: " + e.getMessage());
        }
    }

    /** Removes the leftovers of crashed runs, then takes a free subnet and makes its bridge. */
    public static FleetNetwork create() {
        Shell shell = new Shell(COMMAND_TIMEOUT);
        Path lockDir = lockDir();
        sweepLeftovers(shell, lockDir);
        String addresses = shell.check(List.of("ip", "-o", "addr", "show"));
        String routes = shell.check(List.of("ip", "route", "show"));
        for (int net = 0; net <= MAX_NET; net++) {
            String subnet = SUBNET_PREFIX + net + ".";
            if (addresses.contains(subnet) || routes.contains(subnet)) {
                continue; // taken by a live run, or by something that is not ours: never touched
            }
            Path lockFile = lockDir.resolve("net-" + net + ".lock");
            Optional<Held> held = tryLock(lockFile);
            if (held.isEmpty()) {
                continue;
            }
            FleetNetwork network = new FleetNetwork(shell, net, held.get().channel(), held.get().lock(), lockFile);
            try {
                network.makeBridge();
                return network;
            } catch (RuntimeException e) {
                network.close();
                throw e;
            }
        }
        throw new IllegalStateException("no free subnet " + SUBNET_PREFIX + "0-" + MAX_NET + ".0/24 for the fleet");
    }

    private void makeBridge() {
        shell.check(List.of("ip", "link", "add", bridge, "type", "bridge"));
        shell.check(List.of("ip", "addr", "add", gatewayAddress() + "/24", "dev", bridge));
        shell.check(List.of("ip", "link", "set", bridge, "up"));
        LOG.info("fleet network {}.0/24 on bridge {}", SUBNET_PREFIX + net, bridge);
    }

    /** The address the test itself (the root namespace) has on the fleet's bridge. */
    public String gatewayAddress() {
        return SUBNET_PREFIX + net + ".1";
    }

    /** Makes host {@code name} (3 characters at most) with address {@code 10.231.<net>.<octet>}. */
    public synchronized Host addHost(String name, int octet) {
        if (!name.matches("[a-z0-9]{1,3}")) {
            throw new IllegalArgumentException("host name must be 1-3 of [a-z0-9]: " + name);
        }
        if (octet < 2 || octet > 254 || hosts.containsKey(name)) {
            throw new IllegalArgumentException("host " + name + " exists or octet out of range: " + octet);
        }
        String base = PREFIX + net + "-" + name;
        Host host = new Host(name, base, SUBNET_PREFIX + net + "." + octet, base + "-e", base + "-b");
        hosts.put(name, host);
        shell.check(List.of("ip", "netns", "add", host.namespace()));
        shell.check(List.of("ip", "link", "add", host.link(), "type", "veth", "peer", "name", host.port()));
        shell.check(List.of("ip", "link", "set", host.link(), "netns", host.namespace()));
        shell.check(List.of("ip", "link", "set", host.port(), "master", bridge));
        shell.check(List.of("ip", "link", "set", host.port(), "up"));
        shell.check(List.of("ip", "-n", host.namespace(), "addr", "add", host.address() + "/24", "dev", host.link()));
        shell.check(List.of("ip", "-n", host.namespace(), "link", "set", host.link(), "up"));
        // the host's own loopback, for what a host keeps to itself (a restored server and its WAL fetches)
        shell.check(List.of("ip", "-n", host.namespace(), "link", "set", "lo", "up"));
        return host;
    }

    public synchronized Host host(String name) {
        Host host = hosts.get(name);
        if (host == null) {
            throw new IllegalArgumentException("no host " + name);
        }
        return host;
    }

    /** Unplugs the host's cable: its link to the bridge goes down, so it reaches no other host. */
    public void cut(Host host) {
        shell.check(List.of("ip", "link", "set", host.port(), "down"));
    }

    /** Plugs it in again. */
    public void mend(Host host) {
        shell.check(List.of("ip", "link", "set", host.port(), "up"));
    }

    /** The processes running in the host's namespace. */
    public List<Long> pids(Host host) {
        return pids(shell, host.namespace());
    }

    /** {@code kill -9} of every process on the host: its servers die as in a power cut. */
    public void killAll(Host host) {
        killAll(shell, host.namespace());
    }

    /** Kills every process in every namespace of this run, removes the namespaces and the bridge. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (Host host : hosts.values()) {
                removeNamespace(shell, host.namespace());
            }
            if (shell.run(List.of("ip", "link", "show", bridge)).ok()) {
                shell.run(List.of("ip", "link", "del", bridge));
            }
            removeLinksOf(shell, net);
        } finally {
            release();
        }
    }

    private void release() {
        try {
            Files.deleteIfExists(lockFile);
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("cannot release {}: {}", lockFile, e.toString());
        }
    }

    // ------------------------------------------------------------------ leftovers

    /**
     * Removes the namespaces, links and processes of every earlier run whose lock nobody holds: a run
     * that crashed or was killed before its {@link #close}.
     */
    static void sweepLeftovers(Shell shell, Path lockDir) {
        for (int net : leftoverNets(shell)) {
            Path lockFile = lockDir.resolve("net-" + net + ".lock");
            Optional<Held> held = tryLock(lockFile);
            if (held.isEmpty()) {
                continue; // a live run
            }
            try {
                LOG.warn("removing the leftovers of a crashed fleet run on {}{}.0/24", SUBNET_PREFIX, net);
                for (String namespace : namespaces(shell)) {
                    if (namespace.startsWith(PREFIX + net + "-")) {
                        removeNamespace(shell, namespace);
                    }
                }
                removeLinksOf(shell, net);
            } finally {
                try {
                    Files.deleteIfExists(lockFile);
                    held.get().lock().release();
                    held.get().channel().close();
                } catch (IOException e) {
                    LOG.warn("cannot release {}: {}", lockFile, e.toString());
                }
            }
        }
    }

    private static List<Integer> leftoverNets(Shell shell) {
        java.util.Set<Integer> nets = new java.util.TreeSet<>();
        java.util.regex.Pattern ours = java.util.regex.Pattern.compile("^" + PREFIX + "(\\d{1,3})-[a-z0-9]{1,3}(-[eb])?$");
        List<String> names = new ArrayList<>(namespaces(shell));
        names.addAll(links(shell));
        for (String name : names) {
            java.util.regex.Matcher m = ours.matcher(name);
            if (m.matches()) {
                nets.add(Integer.parseInt(m.group(1)));
            }
        }
        return List.copyOf(nets);
    }

    private static List<String> namespaces(Shell shell) {
        List<String> names = new ArrayList<>();
        for (String line : shell.check(List.of("ip", "netns", "list")).split("\\R")) {
            String name = line.strip().split("\\s+")[0];
            if (name.startsWith(PREFIX)) {
                names.add(name);
            }
        }
        return names;
    }

    private static List<String> links(Shell shell) {
        List<String> names = new ArrayList<>();
        for (String line : shell.check(List.of("ip", "-o", "link", "show")).split("\\R")) {
            // "7: tlf3-sv1-b@if6: <BROADCAST,...": the name, without the peer's index
            String[] parts = line.split(":\\s+", 3);
            if (parts.length >= 2) {
                String name = parts[1].split("@")[0];
                if (name.startsWith(PREFIX)) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static void removeLinksOf(Shell shell, int net) {
        for (String link : links(shell)) {
            if (link.startsWith(PREFIX + net + "-")) {
                shell.run(List.of("ip", "link", "del", link));
            }
        }
    }

    private static void removeNamespace(Shell shell, String namespace) {
        // processes first: a namespace whose processes live on outlives its name
        for (int attempt = 0; attempt < 50; attempt++) {
            if (!namespaces(shell).contains(namespace) || pids(shell, namespace).isEmpty()) {
                break;
            }
            killAll(shell, namespace);
            sleep(100);
        }
        if (namespaces(shell).contains(namespace)) {
            Shell.Result del = shell.run(List.of("ip", "netns", "del", namespace));
            if (!del.ok()) {
                LOG.warn("cannot remove namespace {}: {}", namespace, del.output());
            }
        }
    }

    private static List<Long> pids(Shell shell, String namespace) {
        Shell.Result result = shell.run(List.of("ip", "netns", "pids", namespace));
        if (!result.ok()) {
            return List.of();
        }
        List<Long> pids = new ArrayList<>();
        for (String line : result.output().split("\\R")) {
            if (!line.isBlank()) {
                pids.add(Long.parseLong(line.strip()));
            }
        }
        return pids;
    }

    private static void killAll(Shell shell, String namespace) {
        List<Long> pids = pids(shell, namespace);
        if (!pids.isEmpty()) {
            List<String> kill = new ArrayList<>(List.of("kill", "-9"));
            pids.forEach(p -> kill.add(Long.toString(p)));
            shell.run(kill); // a process may have exited meanwhile: not an error
        }
    }

    private record Held(FileChannel channel, FileLock lock) {
    }

    private static Optional<Held> tryLock(Path lockFile) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return Optional.empty();
            }
            return Optional.of(new Held(channel, lock));
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            return Optional.empty(); // held by another fleet of this JVM
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock " + lockFile, e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to add to the failure being reported
            }
        }
    }

    private static Path lockDir() {
        // /run is a tmpfs like the namespaces' lifetime: both are gone after a reboot
        Path dir = Files.isWritable(Path.of("/run")) ? Path.of("/run/tideline-fleet") : Path.of(System.getProperty("java.io.tmpdir"), "tideline-fleet");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        return dir;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "fleet network " + SUBNET_PREFIX + net + ".0/24 " + hosts.values();
    }
}
