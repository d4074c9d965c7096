package io.tideline.runtime;

import io.tideline.core.access.Grant;
import io.tideline.core.access.LocalUser;
import io.tideline.core.access.LocalUsers;
import io.tideline.core.access.PasswordHashing;
import io.tideline.core.access.Role;
import io.tideline.core.secrets.SecretStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * The embedded runtime's first person: when a home has no users, {@value #NAME} (admin of every instance) is made with
 * a random password, written to a 0600 file of the home ({@link RuntimeHome#adminPasswordFile()}); {@code up} names
 * the file, never the password. Later users come from {@code tideline user add}.
 */
public final class FirstAdmin {

    public static final String NAME = "admin";

    private FirstAdmin() {
    }

    /** Makes the first admin when there is no user yet; returns whether it did. */
    public static boolean ensure(RuntimeHome home, SecretStore secrets, Clock clock) {
        LocalUsers users = new LocalUsers(secrets);
        if (!users.all().isEmpty()) {
            return false;
        }
        PasswordHashing hashing = new PasswordHashing();
        String password = hashing.newPassword();
        Path file = home.adminPasswordFile();
        // the file first: a user whose password nobody could read would lock the home out
        PrivateFile.write(file, password + "\n");
        users.put(new LocalUser(NAME, hashing.hash(password.toCharArray()), List.of(Grant.everywhere(Role.ADMIN)), clock.instant()));
        return true;
    }
}
