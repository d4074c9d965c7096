package io.tideline.runtime;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The detached runtime JVM that {@code tideline up} starts:
 * {@code java -cp <cli classpath> io.tideline.runtime.RuntimeMain --home DIR}. It runs until it gets
 * SIGTERM ({@code tideline down}) or SIGINT, then stops the services, the S3 server and Kafka in
 * order; the instances keep running (stopping them is {@code down}'s choice, made in the CLI). Its
 * stdout is {@code <home>/logs/runtime.log}.
 */
@Command(name = "tideline-runtime", mixinStandardHelpOptions = true,
        description = "Runs the embedded Tideline runtime in the foreground until it is stopped.")
public final class RuntimeMain implements Callable<Integer> {

    @Option(names = "--home", required = true, description = "The runtime's home directory.")
    Path home;

    @Option(names = "--wal-flush-interval", defaultValue = "60s",
            description = "How often the partial WAL segment is uploaded when it grew (default: ${DEFAULT-VALUE}).")
    String walFlushInterval;

    @Option(names = "--service-heap", defaultValue = RuntimeOptions.DEFAULT_SERVICE_HEAP, hidden = true)
    String serviceHeap;

    /** A supervisor (a test) whose end must end this runtime too, however it ends. */
    @Option(names = "--exit-with-pid", hidden = true)
    Long exitWithPid;

    public static void main(String[] args) {
        Logging.toStdout();
        System.exit(new CommandLine(new RuntimeMain()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        RuntimeOptions options = new RuntimeOptions(DurationText.parse(walFlushInterval), serviceHeap, java.util.Map.of(), java.util.Optional.empty());
        EmbeddedRuntime runtime;
        try {
            runtime = EmbeddedRuntime.start(new RuntimeHome(home), options, Clock.systemUTC(),
                    line -> org.slf4j.LoggerFactory.getLogger(RuntimeMain.class).info(line));
        } catch (EmbeddedRuntime.RuntimeStartException e) {
            org.slf4j.LoggerFactory.getLogger(RuntimeMain.class).error("the runtime did not start: {}", e.getMessage(), e);
            System.err.println("tideline runtime: " + e.getMessage());
            return 1;
        }
        if (exitWithPid != null) {
            ProcessHandle.of(exitWithPid).ifPresentOrElse(
                    supervisor -> supervisor.onExit().thenRun(() -> System.exit(0)),
                    () -> System.exit(0));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runtime.close();
            stopped.countDown();
        }, "tideline-runtime-stop"));
        stopped.await();
        return 0;
    }
}
