package io.tideline.cli;

import io.tideline.cli.events.KafkaAccess;
import io.tideline.cli.output.Progress;
import io.tideline.cli.restore.ApiRestores;
import io.tideline.cli.restore.InterruptNotice;
import io.tideline.cli.restore.RestoreClient;
import io.tideline.cli.restore.RestoreLog;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreProgress;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;

/** {@code restore --follow ID} and {@code restore --cancel ID}: a restore already under way, by its id. */
final class RestoreFollowing {

    /** How long a cancelled restore may take to stop and remove what it made. */
    static final Duration CANCEL_TIMEOUT = Duration.ofMinutes(3);

    private final CommandSpec spec;
    private final DeploymentOptions deployment;
    private final boolean json;
    private final String timeout;

    RestoreFollowing(CommandSpec spec, DeploymentOptions deployment, boolean json, String timeout) {
        this.spec = spec;
        this.deployment = deployment;
        this.json = json;
        this.timeout = timeout;
    }

    int run(String follow, String cancel, String instanceName, String to, String newName) {
        if (follow != null && cancel != null) {
            throw CliException.usage("--follow and --cancel are exclusive: give one");
        }
        if (instanceName != null || to != null || newName != null) {
            throw CliException.usage((follow != null ? "--follow" : "--cancel")
                    + " takes a restore id only (no INSTANCE, --to or --name: the restore has them)");
        }
        Duration wait = BackupNowCommand.parseTimeout(timeout);
        TidelineCli cli = TidelineCli.of(spec);
        Deployment target = deployment.resolve();
        try (KafkaAccess kafka = KafkaAccess.of(target)) {
            RestoreClient client = new RestoreClient(kafka, cli.clock());
            RestoreLog.Restore restore;
            try {
                restore = client.log().find(follow != null ? follow : cancel);
            } catch (IllegalArgumentException e) {
                throw CliException.failure(e.getMessage());
            }
            return follow != null ? follow(cli, target, client, restore, wait) : cancel(cli, target, client, restore);
        }
    }

    private int follow(TidelineCli cli, Deployment target, RestoreClient client, RestoreLog.Restore restore, Duration wait) {
        PrintWriter err = spec.commandLine().getErr();
        if (restore.state().ended() && restore.state() != RestoreLog.State.COMPLETED) {
            // Nothing to follow: its end, as restore itself would have said it.
            throw CliException.refused("restore " + (restore.state() == RestoreLog.State.CANCELLED ? ""
                    : restore.state().word() + ": ") + restore.reason());
        }
        if (restore.state().ended()) {
            // Completed: its result only, not a replay of its progress.
            RestoreClient.Completed done = client.follow(restore, wait, new RestoreClient.Listener() {
                @Override
                public void requested(String restoreId) {
                }

                @Override
                public void accepted(RestoreAccepted a) {
                }

                @Override
                public void progress(RestoreProgress p) {
                }
            });
            printer().print(spec.commandLine().getOut(), target, restore.source(), done);
            return ExitCodes.OK;
        }
        try (Progress progress = new Progress(err, cli.interactive());
             InterruptNotice notice = InterruptNotice.register(restore.restoreId(), err, progress::close)) {
            progress.line("Following restore " + restore.restoreId() + " of " + restore.source() + " (" + restore.state().word() + ").");
            RestoreClient.Completed done = client.follow(restore, wait, new RestoreClient.Listener() {
                @Override
                public void requested(String restoreId) {
                }

                @Override
                public void accepted(RestoreAccepted a) {
                    progress.line(RestoreCommand.accepted(a, restore.source()));
                }

                @Override
                public void progress(RestoreProgress p) {
                    RestoreCommand.show(progress, p);
                }
            });
            progress.close();
            printer().print(spec.commandLine().getOut(), target, restore.source(), done);
        }
        return ExitCodes.OK;
    }

    private RestoreCommand printer() {
        RestoreCommand printer = new RestoreCommand();
        printer.json = json;
        return printer;
    }

    private int cancel(TidelineCli cli, Deployment target, RestoreClient client, RestoreLog.Restore restore) {
        PrintWriter out = spec.commandLine().getOut();
        if (restore.state().ended()) {
            throw CliException.refused("restore " + restore.restoreId() + " already " + restore.state().word()
                    + (restore.endedAt() == null ? "" : " at " + restore.endedAt()) + ": nothing to cancel"
                    + (restore.state() == RestoreLog.State.COMPLETED && restore.newInstance() != null
                    ? " (remove its instance with ./tideline instance remove " + restore.newInstance() + ")" : ""));
        }
        spec.commandLine().getErr().println("Cancelling restore " + restore.restoreId() + " of " + restore.source() + " ...");
        spec.commandLine().getErr().flush();
        // through the API as the signed-in person (a restorer of the source): the server writes who asked
        RestoreLog.Restore end = client.cancel(restore, new ApiRestores(ApiClient.signedIn(target, cli.clock())),
                CANCEL_TIMEOUT);
        if (end.state() != RestoreLog.State.CANCELLED) {
            throw CliException.refused("restore " + restore.restoreId() + " " + end.state().word() + " before the cancel took effect"
                    + (end.reason() == null ? "" : ": " + end.reason()));
        }
        out.println("Restore " + restore.restoreId() + " cancelled: " + end.reason());
        out.flush();
        return ExitCodes.OK;
    }
}
