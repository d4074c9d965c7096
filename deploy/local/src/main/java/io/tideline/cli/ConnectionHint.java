package io.tideline.cli;

import io.tideline.core.secrets.SecretRef;
import io.tideline.runtime.RuntimeHome;

/** How a person connects to an instance: a psql line that reads the password from the secret store. */
final class ConnectionHint {

    private ConnectionHint() {
    }

    static String psql(RuntimeHome home, String host, int port, String user, String database, SecretRef passwordRef) {
        return "PGPASSWORD=\"$(cat " + home.secretsDir().resolve(passwordRef.value()) + ")\" psql -h " + host + " -p " + port
                + " -U " + user + " " + database;
    }
}
