package io.tideline.platform.local;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * {@code tideline.fleet.postgres-tls.enabled}: whether the servers the local provisioner makes get a certificate
 * from the Tideline CA, {@code ssl=on} and TLS-only {@code pg_hba.conf} lines. The embedded runtime turns it on;
 * off by default, for the test fixtures that make plain servers. Clients need no setting: they connect with
 * {@code sslmode=verify-full} to every server whose CA is kept in the secret store (core {@code PostgresTls}).
 */
@ConfigurationProperties(PostgresTlsConfiguration.PREFIX)
public record PostgresTlsConfiguration(@Bindable(defaultValue = "false") boolean enabled) {

    public static final String PREFIX = FleetConfiguration.PREFIX + ".postgres-tls";
    public static final String ENABLED = PREFIX + ".enabled";
}
