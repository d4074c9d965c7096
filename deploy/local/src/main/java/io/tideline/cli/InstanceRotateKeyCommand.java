package io.tideline.cli;

import io.tideline.cli.events.KafkaAccess;
import io.tideline.cli.instance.LocalOnboarding;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.encryption.KeyringKeyService;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "rotate-key", mixinStandardHelpOptions = true,
        description = {"Make a new version of an instance's encryption key current: objects written from now on are encrypted "
                + "under it; older objects stay readable with the versions they were written under.",
                "The running services pick it up with their next object; no restart."})
final class InstanceRotateKeyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Parameters(paramLabel = "NAME", description = "The instance's name or id.")
    String name;

    @Override
    public Integer call() {
        TidelineCli cli = TidelineCli.of(spec);
        Deployment target = deployment.resolve();
        PrintWriter out = spec.commandLine().getOut();
        try (KafkaAccess kafka = KafkaAccess.of(target);
             LocalOnboarding local = LocalOnboarding.of(target, kafka.publisher(), cli.clock())) {
            RegisteredInstance instance = kafka.instances().require(name);
            KeyringKeyService keys = new KeyringKeyService(local.secrets(), cli.clock(), new SecureRandom());
            if (keys.destroyedAt(instance.id()).isPresent() && keys.currentVersion(instance.id()).isEmpty()) {
                throw CliException.refused("the keys of " + instance.name() + " were destroyed (crypto-shredded) at "
                        + keys.destroyedAt(instance.id()).orElseThrow() + ": there is nothing to rotate");
            }
            int version = keys.rotate(instance.id());
            out.println("Instance " + instance.name() + ": new objects are encrypted under key version " + version
                    + (version > 1 ? "; objects written under versions 1.." + (version - 1) + " stay readable." : "."));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
