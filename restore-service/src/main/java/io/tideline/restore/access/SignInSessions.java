package io.tideline.restore.access;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Backups view's sessions, kept in this process: an opaque random id (the cookie) → who signed in, the CSRF
 * token of the session's forms, and when it was last used. A session not used for the idle timeout is gone; a
 * restart of the service signs everyone out of the view (the CLI's tokens survive it).
 */
public final class SignInSessions {

    /** A signed-in browser. */
    public record Session(String id, String user, String csrfToken, Instant lastSeen) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Duration idleTimeout;

    public SignInSessions(Clock clock, Duration idleTimeout) {
        this.clock = clock;
        this.idleTimeout = idleTimeout;
    }

    public Session open(String user) {
        sweep();
        Session s = new Session(randomToken(), user, randomToken(), clock.instant());
        sessions.put(s.id(), s);
        return s;
    }

    /** The session, its idle clock restarted; empty when there is none or it expired (then it is gone). */
    public Optional<Session> use(String id) {
        Instant now = clock.instant();
        Session s = sessions.computeIfPresent(id, (k, old) -> expired(old, now) ? null : new Session(old.id(), old.user(),
                old.csrfToken(), now));
        return Optional.ofNullable(s);
    }

    /** The session as it is, without counting this as use; empty when there is none or it expired. */
    public Optional<Session> peek(String id) {
        Session s = sessions.get(id);
        return s == null || expired(s, clock.instant()) ? Optional.empty() : Optional.of(s);
    }

    public void close(String id) {
        sessions.remove(id);
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** 32 random bytes, base64url: a session id or a CSRF token. */
    String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private boolean expired(Session s, Instant now) {
        return !s.lastSeen().plus(idleTimeout).isAfter(now);
    }

    /** Forgets expired sessions, so sessions never used again do not pile up. */
    private void sweep() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> expired(s, now));
    }
}
