package io.tideline.processes;

import java.nio.file.Path;

/**
 * Run by {@link NoOrphanProcessIT} in a child JVM: starts a Kafka broker and an S3 server, prints
 * their pids and waits to be killed, without ever stopping them itself.
 */
public final class OrphanProbe {

    private OrphanProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path dir = Path.of(args[0]);
        KafkaBrokerProcess kafka = KafkaBrokerProcess.startIn(dir.resolve("kafka"));
        S3ServerProcess s3 = S3ServerProcess.startIn(dir.resolve("s3/data"), dir.resolve("s3/identities"));
        System.out.println("kafka=" + kafka.processHandle().orElseThrow().pid());
        System.out.println("s3=" + s3.processHandle().orElseThrow().pid());
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
