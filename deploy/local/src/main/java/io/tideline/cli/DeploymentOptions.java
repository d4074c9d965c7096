package io.tideline.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options every client command shares ({@link BaseDeploymentOptions}) and {@code --ca-file}: which deployment, trusted how. */
public final class DeploymentOptions extends BaseDeploymentOptions {

    @Option(names = CliTls.CA_OPTION, paramLabel = "FILE",
            description = "The PEM certificate(s) of the CA(s) that signed another deployment's certificates: trusted for its "
                    + "API, object store and Kafka instead of the home's Tideline CA; several in one file when they differ "
                    + "(e.g. a cluster's HTTPS CA and Strimzi's cluster CA) (default: $" + CA_FILE_ENV + ").")
    Path caFile;

    @Override
    Optional<Path> caFileOption() {
        return Optional.ofNullable(caFile);
    }
}
