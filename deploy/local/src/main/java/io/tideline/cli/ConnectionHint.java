package io.tideline.cli;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.postgres.PostgresTls;
import io.tideline.core.secrets.SecretRef;
import io.tideline.runtime.RuntimeHome;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How a person connects to an instance: a psql line that reads the password from the secret store and, for an
 * instance with TLS, checks the server as Tideline does ({@code sslmode=verify-full}, the CA file kept for it).
 */
final class ConnectionHint {

    private ConnectionHint() {
    }

    static String psql(RuntimeHome home, InstanceId id, String host, int port, String user, String database, SecretRef passwordRef) {
        String password = "PGPASSWORD=\"$(cat " + home.secretsDir().resolve(passwordRef.value()) + ")\" ";
        Path ca = home.secretsDir().resolve(PostgresTls.caSecret(id).value());
        if (Files.exists(ca)) {
            return password + "psql \"host=" + host + " port=" + port + " user=" + user + " dbname=" + database
                    + " sslmode=verify-full sslrootcert=" + ca + "\"";
        }
        return password + "psql -h " + host + " -p " + port + " -U " + user + " " + database;
    }
}
