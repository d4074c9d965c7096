package io.tideline.restore.access;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.AuthenticationFailureReason;
import io.micronaut.security.authentication.AuthenticationRequest;
import io.micronaut.security.authentication.AuthenticationResponse;
import io.micronaut.security.authentication.provider.HttpRequestAuthenticationProvider;
import io.tideline.core.access.LocalUser;
import io.tideline.core.access.LocalUsers;
import io.tideline.core.access.PasswordHashing;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Micronaut Security's authentication provider for the embedded runtime's local users: the password checked against
 * its BCrypt hash in the secret store. An unknown user costs a check against a fixed hash too, so the answer's
 * time does not tell which names exist.
 */
@Singleton
@Requires(beans = LocalUsers.class)
public final class LocalUsersAuthentication<B> implements HttpRequestAuthenticationProvider<B> {

    private final LocalUsers users;
    /** A BCrypt hash of a random password nobody knows, checked when the user does not exist. */
    private final String decoy;

    public LocalUsersAuthentication(LocalUsers users) {
        this.users = users;
        PasswordHashing hashing = new PasswordHashing();
        this.decoy = hashing.hash(hashing.newPassword().toCharArray());
    }

    @Override
    public AuthenticationResponse authenticate(HttpRequest<B> request, AuthenticationRequest<String, String> auth) {
        String name = auth.getIdentity() == null ? "" : auth.getIdentity().strip();
        char[] password = auth.getSecret() == null ? new char[0] : auth.getSecret().toCharArray();
        Optional<LocalUser> user = users.find(name);
        if (user.isEmpty()) {
            PasswordHashing.matches(decoy, password);
            return AuthenticationResponse.failure(AuthenticationFailureReason.USER_NOT_FOUND);
        }
        if (!PasswordHashing.matches(user.get().passwordHash(), password)) {
            return AuthenticationResponse.failure(AuthenticationFailureReason.CREDENTIALS_DO_NOT_MATCH);
        }
        return AuthenticationResponse.success(name, List.of(), Map.of(Access.LOCAL, true));
    }
}
