/**
 * People and roles (issue 14.2): who may look at and restore which instances.
 *
 * <p>A person has {@link io.tideline.core.access.Grant}s, each a {@link io.tideline.core.access.Role} on a group
 * of instances (glob patterns of instance ids). Roles include each other: admin ⊇ restorer ⊇ viewer. The embedded
 * runtime keeps its local users in the home's secret store ({@link io.tideline.core.access.LocalUsers}), each with a
 * BCrypt hash of its password ({@link io.tideline.core.access.PasswordHashing}); the restore service signs people in
 * against them, and decides every request with the grants read from there at that moment (a removed user or grant
 * stops working at once). Production deployments sign people in with OpenID Connect instead (docs/security.md).
 */
package io.tideline.core.access;
