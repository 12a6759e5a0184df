package com.abcbank.server;

import com.abcbank.ledger.Caller;
import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The console's sign-ins: the SCRAM exchanges between their two steps, and the sessions they open.
 *
 * <p><b>Logins.</b> A console sign-in is the TCP protocol's own {@link LoginSession} (the same {@link
 * com.abcbank.server.auth.Users}, throttle and security events), held here between the browser's two requests under a
 * random id for at most {@link #LOGIN_TTL_NANOS}, the same 30 s the proof has. At most {@link #MAX_PENDING} are held,
 * {@link #MAX_PENDING_PER_ADDRESS} from one address, with {@link #AUDITOR_RESERVE} more for the auditor; when full,
 * expired ones are dropped first and only then is a new one refused.
 *
 * <p><b>Sessions.</b> A session is a random 256-bit token (the {@code bank_session} cookie: HttpOnly,
 * SameSite=Strict, Secure under HTTPS) naming a {@link Caller}, with its own random CSRF token that every state-changing
 * request must carry in a header (a cross-site page can neither read it nor set the header without a CORS preflight
 * the server never grants). A session ends at sign-out, after {@link #IDLE_NANOS} unused, or {@link #MAX_AGE_NANOS}
 * after sign-in, when its user's password changes, when the user signs in a {@link #MAX_SESSIONS_PER_USER}th time
 * elsewhere (the oldest goes), and with the server: sessions are memory only, and a restart signs everyone out. Tokens are compared by
 * map lookup of the cookie's value (the map's hash, not the token, decides the bucket; a guess of 256 random bits is
 * not a timing question); the CSRF token with {@link MessageDigest#isEqual}.
 */
final class ConsoleSessions {
    static final long LOGIN_TTL_NANOS = TimeUnit.SECONDS.toNanos(30);
    static final long IDLE_NANOS = TimeUnit.MINUTES.toNanos(30);
    static final long MAX_AGE_NANOS = TimeUnit.HOURS.toNanos(12);
    static final int MAX_PENDING = 1_000;
    /** Sign-ins in progress from one address: a flood from one place cannot take everyone's. */
    static final int MAX_PENDING_PER_ADDRESS = 8;
    /**
     * Sign-ins in progress for one name: strangers cannot hold the name's login budget (20 places) with first steps
     * they never finish.
     */
    static final int MAX_PENDING_PER_NAME = 4;
    /** Places beyond {@link #MAX_PENDING} and {@link #MAX_SESSIONS} that only the auditor may take. */
    static final int AUDITOR_RESERVE = 16;

    static final int MAX_SESSIONS = 10_000;
    /** Sessions one user may have; a new sign-in beyond ends their oldest. */
    static final int MAX_SESSIONS_PER_USER = 8;
    /** Live feeds one session may have open (a few tabs). */
    static final int MAX_FEEDS_PER_SESSION = 2;

    /** A signed-in browser. */
    static final class Session {
        private final String token;
        private final String csrf;
        private final Caller caller;
        private final long createdNanos;
        private volatile long lastUsedNanos;
        /** Its open live feeds, at most {@link #MAX_FEEDS_PER_SESSION}. */
        final java.util.concurrent.atomic.AtomicInteger feeds = new java.util.concurrent.atomic.AtomicInteger();

        private Session(String token, String csrf, Caller caller, long nowNanos) {
            this.token = token;
            this.csrf = csrf;
            this.caller = caller;
            this.createdNanos = nowNanos;
            this.lastUsedNanos = nowNanos;
        }

        String token() {
            return token;
        }

        String csrf() {
            return csrf;
        }

        Caller caller() {
            return caller;
        }

        /** Whether {@code header} is this session's CSRF token (constant time). */
        boolean csrfMatches(String header) {
            return header != null
                    && MessageDigest.isEqual(
                            header.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            csrf.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        private boolean expired(long nowNanos) {
            return nowNanos - lastUsedNanos > IDLE_NANOS || nowNanos - createdNanos > MAX_AGE_NANOS;
        }
    }

    private record Pending(LoginSession login, String name, long startedNanos, InetAddress from, long epoch) {}

    private final SecureRandom random = new SecureRandom();
    private final LongSupplier nanos;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** Per user (lower case), how many times their password changed since the server started. */
    private final Map<String, AtomicLong> epochs = new ConcurrentHashMap<>();

    /** @param nanos the monotonic clock ({@code System::nanoTime}; a test's own) */
    ConsoleSessions(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /**
     * Holds {@code login} (its first step answered, for the user it names) from {@code from} under a new id; {@code null} when that address (an
     * IPv6 /64 counts as one) has {@link #MAX_PENDING_PER_ADDRESS} in progress, the name it claims
     * {@link #MAX_PENDING_PER_NAME}, or all places are taken ({@code reserved}, the auditor from where it is expected,
     * has {@link #AUDITOR_RESERVE} more). Also notes the user's password epoch, for {@link #open}.
     */
    String hold(LoginSession login, String name, InetAddress from, boolean reserved) {
        long now = nanos.getAsLong();
        int limit = MAX_PENDING + (reserved ? AUDITOR_RESERVE : 0);
        if (!room(limit, from, name)) {
            sweepPending(now);
            if (!room(limit, from, name)) {
                return null;
            }
        }
        String id = token();
        pending.put(id, new Pending(login, name, now, from, epochOf(name)));
        return id;
    }

    private boolean room(int limit, InetAddress from, String name) {
        if (pending.size() >= limit) {
            return false;
        }
        byte[] network = network(from);
        long fromThere = 0;
        long forName = 0;
        for (Pending held : pending.values()) {
            fromThere += Arrays.equals(network(held.from()), network) ? 1 : 0;
            forName += name != null && name.equalsIgnoreCase(held.name()) ? 1 : 0;
        }
        return fromThere < MAX_PENDING_PER_ADDRESS && forName < MAX_PENDING_PER_NAME;
    }

    /** An address as the caps count it: IPv4 whole, IPv6 by its /64 (one site hands out a whole /64). */
    private static byte[] network(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 16 ? Arrays.copyOf(bytes, 8) : bytes;
    }

    private long epochOf(String user) {
        if (user == null) {
            return 0;
        }
        AtomicLong epoch = epochs.get(user.toLowerCase(java.util.Locale.ROOT));
        return epoch == null ? 0 : epoch.get();
    }

    /** A sign-in taken for its second step: the login, and the user's password epoch when it began. */
    record Taken(LoginSession login, long epoch) {}

    /** Takes the login held under {@code id} (once: a second take gets {@code null}), if it has not expired. */
    Taken take(String id) {
        if (id == null) {
            return null;
        }
        Pending held = pending.remove(id);
        if (held == null) {
            return null;
        }
        if (nanos.getAsLong() - held.startedNanos() > LOGIN_TTL_NANOS) {
            held.login().close();
            return null;
        }
        return new Taken(held.login(), held.epoch());
    }

    /**
     * A new session for {@code caller}, ending their oldest if they have {@link #MAX_SESSIONS_PER_USER}; {@code null}
     * when {@link #MAX_SESSIONS} are live (the auditor has {@link #AUDITOR_RESERVE} more).
     */
    Session open(Caller caller, long epoch) {
        long now = nanos.getAsLong();
        List<Session> theirs = sessions.values().stream()
                .filter(session -> session.caller().user().equals(caller.user()))
                .sorted(Comparator.comparingLong(session -> session.createdNanos))
                .toList();
        for (int i = 0; i <= theirs.size() - MAX_SESSIONS_PER_USER; i++) {
            close(theirs.get(i));
        }
        int limit = MAX_SESSIONS + (caller.isAuditor() ? AUDITOR_RESERVE : 0);
        if (sessions.size() >= limit) {
            sweepSessions(now);
            if (sessions.size() >= limit) {
                return null;
            }
        }
        Session session = new Session(token(), token(), caller, now);
        sessions.put(session.token(), session);
        if (epochOf(caller.user()) != epoch) {
            sessions.remove(session.token(), session); // the password changed since this sign-in began
            return null;
        }
        return session;
    }

    /** Ends every session of {@code user}: their password changed, so what was signed in with the old one is not. */
    void closeAllOf(String user) {
        // First the epoch, then the sweep: a sign-in that checked the old password and opens its session after
        // the sweep sees the new epoch in open() and takes its session back out.
        epochs.computeIfAbsent(user.toLowerCase(java.util.Locale.ROOT), u -> new AtomicLong())
                .incrementAndGet();
        sessions.values().removeIf(session -> session.caller().user().equals(user));
    }

    /** The live session of {@code token} (a cookie's value, maybe null), marked used; {@code null} if none. */
    Session find(String token) {
        if (token == null) {
            return null;
        }
        Session session = sessions.get(token);
        if (session == null) {
            return null;
        }
        long now = nanos.getAsLong();
        if (session.expired(now)) {
            sessions.remove(token, session);
            return null;
        }
        session.lastUsedNanos = now;
        return session;
    }

    /** Whether {@code session} is still live (not signed out, not expired), without marking it used. */
    boolean isLive(ConsoleSessions.Session session) {
        return sessions.get(session.token()) == session && !session.expired(nanos.getAsLong());
    }

    /** Ends {@code session} (sign-out). */
    void close(Session session) {
        sessions.remove(session.token(), session);
    }

    int size() {
        return sessions.size();
    }

    /** Drops expired logins (giving back their places in the login budget) and sessions: run every second. */
    void sweep() {
        long now = nanos.getAsLong();
        sweepPending(now);
        sweepSessions(now);
    }

    private void sweepPending(long now) {
        for (Map.Entry<String, Pending> entry : pending.entrySet()) {
            Pending held = entry.getValue();
            if (now - held.startedNanos() > LOGIN_TTL_NANOS && pending.remove(entry.getKey(), held)) {
                held.login().close(); // only the one that removed it gives its place back
            }
        }
    }

    private void sweepSessions(long now) {
        sessions.values().removeIf(session -> session.expired(now));
    }

    private String token() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
