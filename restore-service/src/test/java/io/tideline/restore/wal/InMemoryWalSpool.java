package io.tideline.restore.wal;

import io.tideline.core.instance.WalSpool;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A {@link WalSpool} in a map, with the interface's promises: one taker per segment (the test plays the
 * server with {@link #serverTakes}), complete segment names only.
 */
final class InMemoryWalSpool implements WalSpool {

    private static final Pattern SEGMENT = Pattern.compile("[0-9A-F]{24}");

    private final Map<String, byte[]> segments = new ConcurrentHashMap<>();

    @Override
    public void put(String segmentName, byte[] bytes) {
        segments.put(checked(segmentName), bytes.clone());
    }

    @Override
    public boolean holds(String segmentName) {
        return segments.containsKey(checked(segmentName));
    }

    @Override
    public Optional<byte[]> take(String segmentName) {
        return Optional.ofNullable(segments.remove(checked(segmentName)));
    }

    @Override
    public void discard(String segmentName) {
        segments.remove(checked(segmentName));
    }

    @Override
    public void clear() {
        segments.clear();
    }

    @Override
    public String restoreCommandFragment() {
        return "false";
    }

    /** What the server's {@code restore_command} does with a waiting segment: takes it, or finds nothing. */
    Optional<byte[]> serverTakes(String segmentName) {
        return take(segmentName);
    }

    private static String checked(String segmentName) {
        if (!SEGMENT.matcher(segmentName).matches()) {
            throw new IllegalArgumentException("not a WAL segment name: '" + segmentName + "'");
        }
        return segmentName;
    }
}
