package io.tideline.platform.local.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a restored data directory's files to disk in the background while its server recovers with
 * {@code fsync=off} (issue 18.2). The unpacked backup sits in the page cache, dirty, until something writes it
 * out, and {@code initdb --sync-only} at the end of the restore did all of that writing on the restore's critical
 * path; replay with fsync off leaves the disk mostly idle, so the files written before recovery started are
 * flushed meanwhile, one {@code fdatasync} per file. Best effort and never a promise: the final sync still runs
 * over every file, and is what makes the instance durable. Stops at the next file once closed.
 */
final class DataDirWriteback implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DataDirWriteback.class);

    private final Path dataDir;
    private final Thread thread;
    private volatile boolean closed;
    private volatile long filesFlushed;

    private DataDirWriteback(Path dataDir, String name) {
        this.dataDir = dataDir;
        this.thread = new Thread(this::run, "writeback-" + name);
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
    }

    /** Starts flushing the files now in {@code dataDir}. */
    static DataDirWriteback start(Path dataDir, String name) {
        DataDirWriteback writeback = new DataDirWriteback(dataDir, name);
        writeback.thread.start();
        return writeback;
    }

    /** Files flushed so far. */
    long filesFlushed() {
        return filesFlushed;
    }

    private void run() {
        long started = System.nanoTime();
        try (Stream<Path> paths = Files.walk(dataDir)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (closed) {
                    return;
                }
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    flush(p);
                }
            }
            LOG.debug("wrote {} file(s) of {} to disk in {} ms", filesFlushed, dataDir, (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | UncheckedIOException e) {
            // the instance was removed, or a directory vanished: the final sync covers whatever is left
            LOG.debug("background writeback of {} ended early: {}", dataDir, e.toString());
        }
    }

    private void flush(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.force(false);
            filesFlushed++;
        } catch (IOException e) {
            // removed meanwhile (a recycled WAL segment): nothing to flush
        }
    }

    /** Stops at the next file; does not wait (the final sync does not depend on it). */
    @Override
    public void close() {
        closed = true;
    }
}
