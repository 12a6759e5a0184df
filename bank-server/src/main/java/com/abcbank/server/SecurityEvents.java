package com.abcbank.server;

import com.abcbank.journal.DurableLog;
import com.abcbank.journal.SecurityEvent;
import com.abcbank.journal.SecurityEvent.Kind;
import com.abcbank.ledger.Caller;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import com.abcbank.protocol.Request;
import com.abcbank.server.auth.Users;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's sink for security events: failed and throttled logins, lockouts, operations refused for lack of
 * right, password changes. Each goes to the {@link DurableLog} ({@link DurableLog#recordSecurityEvent}), chained in
 * the journal with the transactions, and the auditor lists them with {@code show_security_events}.
 *
 * <h2>What an event may hold</h2>
 * A kind, the time, the user name as the client gave it, the client's address, and a short detail that the server
 * writes itself (an op name and an error code): never a password, a key or a proof. {@link SecurityEvent} bounds and
 * sanitizes every text.
 *
 * <h2>Why a flood cannot slow the bank or fill its disk</h2>
 * Time is cut into seconds of the bank's clock. In each second the first event of each (kind, user, address, detail) is
 * recorded at once, up to {@value #MAX_RECORDS_PER_SECOND} such records; a repeat of one already recorded in that
 * second is only counted, and so is an event beyond the limit. When the second is over (at the next event, or at the
 * server's once-a-second {@link #flush}), each count becomes one record that says how many more there were
 * ({@link SecurityEvent#repeated}), and the events beyond the limit one record in all, for user and address {@code *}.
 * So the journal takes at most {@value #MAX_RECORDS_PER_SECOND} * 2 + 1 event records a second (some 15 KiB), and
 * this object holds at most {@value #MAX_RECORDS_PER_SECOND} counters, however many names and addresses a flood uses.
 * Recording never waits for the disk: the journal drops an event it has no room for ({@link #dropped}).
 *
 * <p>Thread-safe: one monitor, held for a map lookup and, for a recorded event, the copy of its record into the
 * journal's buffer (which takes the buffer's lock inside this monitor; nothing takes them the other way round). A
 * caller holds no ledger lock.
 */
public final class SecurityEvents implements Users.SecurityListener {
    /** Told of each password change, after it is recorded; the console's sessions of that user end. */
    private volatile java.util.function.Consumer<String> passwordChangedHook = user -> {};

    static final int MAX_RECORDS_PER_SECOND = 50;
    /** For a place where no name was given or several names were aggregated. */
    static final String ANY = "*";
    /** The detail of a record that counts repeats. */
    static final String AGAIN = "again within the second";

    private final DurableLog log;
    private final Clock clock;
    private final AtomicLong dropped = new AtomicLong();

    // Guarded by this.
    private long second = Long.MIN_VALUE;
    private int recordedThisSecond;
    private final Map<Key, Tally> repeats = new LinkedHashMap<>();
    private SecurityEvent firstOverLimit;
    private int overLimit;

    private record Key(Kind kind, String user, String address, String detail) {}

    /** The first event of a key in this second, and how many more came. */
    private static final class Tally {
        final SecurityEvent first;
        int more;

        Tally(SecurityEvent first) {
            this.first = first;
        }
    }

    public SecurityEvents(DurableLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    /** Records one event (aggregated as the class comment says); never blocks for long, never throws for the log. */
    public synchronized void record(Kind kind, String user, String address, String detail) {
        Instant now = clock.instant();
        if (now.getEpochSecond() != second) {
            closeSecond();
            second = now.getEpochSecond();
        }
        SecurityEvent event = SecurityEvent.of(now, kind, user, address, detail);
        Key key = new Key(kind, event.user(), event.address(), event.detail());
        Tally tally = repeats.get(key);
        if (tally != null) {
            tally.more++;
        } else if (recordedThisSecond < MAX_RECORDS_PER_SECOND) {
            repeats.put(key, new Tally(event));
            recordedThisSecond++;
            write(event);
        } else {
            if (overLimit++ == 0) {
                firstOverLimit = event;
            }
        }
    }

    /** Writes what the second that has ended aggregated; the server calls it once a second. */
    public synchronized void flush() {
        if (clock.instant().getEpochSecond() != second) {
            closeSecond();
            second = Long.MIN_VALUE;
        }
    }

    private void closeSecond() {
        for (Tally tally : repeats.values()) {
            if (tally.more > 0) {
                write(again(tally.first, tally.more));
            }
        }
        if (overLimit > 0) {
            write(new SecurityEvent(
                    0,
                    firstOverLimit.time(),
                    firstOverLimit.kind(),
                    ANY,
                    ANY,
                    "over the limit of " + MAX_RECORDS_PER_SECOND + " records a second: " + overLimit
                            + " events of any kind, not recorded one by one",
                    overLimit));
        }
        repeats.clear();
        recordedThisSecond = 0;
        overLimit = 0;
        firstOverLimit = null;
    }

    /** The record of {@code more} repeats of {@code first} in its second: dated like it, and saying so. */
    static SecurityEvent again(SecurityEvent first, int more) {
        String detail = first.detail().isEmpty() ? AGAIN : AGAIN + ": " + first.detail();
        return new SecurityEvent(0, first.time(), first.kind(), first.user(), first.address(), detail, more);
    }

    private void write(SecurityEvent event) {
        if (!log.recordSecurityEvent(event)) {
            dropped.incrementAndGet();
        }
    }

    /** Events the log had no room for (or, with a log that keeps no trail, every event). */
    long dropped() {
        return dropped.get();
    }

    // ---------------------------------------------------------------- what the server calls

    /** A login failed (unknown user, wrong proof) or was throttled, for the name the client gave. */
    @Override
    public void loginFailed(String user, InetAddress from, boolean throttled) {
        record(throttled ? Kind.LOGIN_THROTTLED : Kind.LOGIN_FAILED, user, address(from), "");
    }

    @Override
    public void lockedOut(String user, InetAddress from) {
        lockout(user, from);
    }

    /** After any other request: refused for lack of right ({@code FORBIDDEN}) is an event, with the op. */
    void answered(Caller caller, Request request, Outcome<?> outcome, InetAddress address) {
        if (caller != null && !outcome.isOk() && outcome.error() == ErrorCode.FORBIDDEN) {
            record(
                    Kind.OPERATION_DENIED,
                    caller.user(),
                    address(address),
                    Request.op(request) + " " + ErrorCode.FORBIDDEN);
        }
    }

    /** A name (from an address) has just become blocked by the login throttle: once per block, not per attempt. */
    public void lockout(String user, InetAddress address) {
        record(Kind.LOCKOUT, user, address(address), "");
    }

    /** {@code user} changed their password (or the auditor's was rotated). Never pass the password. */
    @Override
    public void passwordChanged(String user, InetAddress address) {
        record(Kind.PASSWORD_CHANGED, user, address(address), "");
        passwordChangedHook.accept(user);
    }

    /** Also tells {@code hook} of each password change (the console ends the user's sessions). */
    void onPasswordChanged(java.util.function.Consumer<String> hook) {
        this.passwordChangedHook = hook;
    }

    static String address(InetAddress address) {
        return address == null ? ANY : address.getHostAddress();
    }
}
