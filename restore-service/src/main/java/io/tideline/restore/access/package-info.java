/**
 * People and roles at the restore service's front doors (issue 14.2): the HTTP API and the Backups view require a
 * signed-in person, and each request is decided by that person's grants on the instance it touches.
 *
 * <p>Micronaut Security does the plumbing: its security filter asks the {@link io.micronaut.security.filters.AuthenticationFetcher}s
 * who is asking — the view's session cookie ({@link io.tideline.restore.access.SessionAuthentication}) or the
 * CLI's bearer token (a JWT signed with a key from the secret store, {@link io.tideline.restore.access.TokenSigning})
 * — and its rules let only the probes, the WAL endpoint, the assets and the sign-in page through without one.
 * What a person may do on an instance is decided here ({@link io.tideline.restore.access.Access}), from the grants
 * read at that moment, so removing a user or a grant counts at once.
 *
 * <p>The session and CSRF modules of Micronaut Security are not on the Maven mirror this project builds from at the
 * platform's versions, so the view's session ({@link io.tideline.restore.access.SignInSessions}: server-side, idle
 * expiry) and its CSRF synchronizer token are small classes here, plugged into Micronaut Security's extension
 * points (docs/decisions.md).
 */
package io.tideline.restore.access;
