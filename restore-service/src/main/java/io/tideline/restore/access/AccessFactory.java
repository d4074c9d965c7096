package io.tideline.restore.access;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.security.token.jwt.signature.SignatureGeneratorConfiguration;
import io.micronaut.security.token.jwt.signature.secret.SecretSignature;
import io.micronaut.security.token.jwt.signature.secret.SecretSignatureConfiguration;
import io.tideline.core.access.LocalUsers;
import io.tideline.core.secrets.SecretStore;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The access classes as beans, over the secret store and the clock. */
@Factory
public class AccessFactory {

    // Without a secret store (a context serving only probes) there are no users and no token key: every request that
    // needs a person gets 401.
    @Singleton
    @Requires(beans = SecretStore.class)
    LocalUsers localUsers(SecretStore secrets) {
        return new LocalUsers(secrets);
    }

    @Singleton
    @Requires(beans = LocalUsers.class)
    Access access(LocalUsers users) {
        return new Access(users);
    }

    @Singleton
    SignInSessions signInSessions(Clock clock, AccessConfiguration config) {
        return new SignInSessions(clock, config.sessionIdleTimeout());
    }

    @Singleton
    SessionAuthentication sessionAuthentication(SignInSessions sessions) {
        return new SessionAuthentication(sessions);
    }

    @Singleton
    SignInLimiter signInLimiter(Clock clock, AccessConfiguration config) {
        return new SignInLimiter(clock, config.signInAttempts(), config.signInWindow());
    }

    /** Signs the CLI's tokens and, as every signature bean, checks them: the key from the secret store. */
    @Singleton
    @Named("generator")
    @Requires(beans = SecretStore.class)
    SignatureGeneratorConfiguration tokenSignature(SecretStore secrets) {
        SecretSignatureConfiguration config = new SecretSignatureConfiguration("generator");
        config.setSecret(TokenSigning.key(secrets));
        config.setBase64(true);
        return new SecretSignature(config);
    }
}
