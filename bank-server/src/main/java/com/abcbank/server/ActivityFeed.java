package com.abcbank.server;

import com.abcbank.journal.DurableFeed;
import com.abcbank.ledger.Caller;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import com.abcbank.ledger.Transaction;
import com.abcbank.protocol.Json;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.abcbank.protocol.Results;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the console's live view shows: every request's start and end, from every connection and every console
 * request, and every durable transaction, in one ring that request threads write and watchers read.
 *
 * <h2>Why a ring, and why it never slows money</h2>
 * Writers are the request threads (a TCP connection's, a console request's) and the durable feed's thread. A write
 * claims the next number ({@link AtomicLong#getAndIncrement}) and stores the event in the slot {@code number % SLOTS}
 * (a release write): wait-free, no lock, no queue that could fill, nothing a reader does can make it wait. A writer
 * never runs inside a ledger lock: {@code started} is called before the ledger is asked, {@code done} after the reply
 * was flushed, and durable transactions come from the {@link DurableFeed}'s own thread.
 *
 * <p>When nobody watches ({@link #watched()} false, one volatile read), nothing is recorded at all: the TCP path pays
 * one branch per request. While someone does, at most {@link #BUDGET_PER_TICK} events are recorded per tick, whatever
 * the load; past that a request's steps are only counted, in striped counters, a durable transaction is not even read
 * from the ledger (the feed passes it over), and the
 * watchers report those counts as skipped: under a flood the writers' cost is a counter, not an event. The durable-feed
 * subscription is open only while someone watches ({@link #watch} and {@link Watcher#close()} open and close it as the
 * first watcher comes and the last goes).
 *
 * <h2>Readers</h2>
 * Each watcher ({@link Watcher}, one per browser) keeps its own cursor and reads the slots from it on its own thread,
 * every {@link #TICK_MS}. A slot holds the event of a number, or an older one (its writer claimed the number but has
 * not stored yet: the watcher waits for it, unless the number is far behind the newest, when it counts as skipped),
 * or a newer one (the ring lapped the watcher: everything lapped is skipped). Under heavy load a watcher sends at most
 * {@link #MAX_PER_TICK} events a tick, the newest: the rest are counted and reported as skipped ({@code skipped}
 * events), so a browser sees a sample of a flood rather than falling ever further behind. A watcher that cannot write
 * (a stalled browser) blocks only its own thread; the ring overwrites what it has not read.
 *
 * <p>Who sees what: the auditor every event; a customer only the requests they made and the transactions made at
 * their request.
 */
final class ActivityFeed {
    private static final Logger log = LoggerFactory.getLogger(ActivityFeed.class);
    /** Slots in the ring: a power of two. At 30,000 requests a second, a watcher is lapped after 70 ms of stall. */
    static final int SLOTS = 1 << 12;

    private static final int MASK = SLOTS - 1;
    /** How often a watcher reads the ring. */
    static final long TICK_MS = 100;
    /**
     * The most events a watcher sends per tick (200 a second: more than anyone reads, and a browser's rendering runs on
     * the bank's own cores); the rest are sampled away and counted.
     */
    static final int MAX_PER_TICK = 20;
    /**
     * The most events recorded per tick (400 a second), whatever the load: past it a request's steps are only counted.
     * Twice what one watcher sends, so that a watcher still picks the newest from a choice, and small enough that a
     * flood of requests costs the request threads a counter each, not an event each.
     */
    static final int BUDGET_PER_TICK = 2 * MAX_PER_TICK;

    /** A claimed slot this far behind the newest that is still not written is given up on (its writer stalled). */
    private static final long GIVE_UP_BEHIND = SLOTS / 4;
    /** The most browsers watching at once; the next one is refused. */
    static final int MAX_WATCHERS = 32;
    /** Of {@link #MAX_WATCHERS}, the places only the auditor may take. */
    static final int AUDITOR_RESERVE = 4;
    /** Feeds one customer may have open (across sessions): so two customers cannot take everyone's places. */
    static final int MAX_WATCHERS_PER_CUSTOMER = 2;

    /** One event of the feed; {@link #number()} is its place in the ring's order. */
    sealed interface Event {
        long number();

        /** Whether {@code caller} may see it. */
        boolean visibleTo(Caller caller);

        /** The SSE event name. */
        String kind();
    }

    /**
     * A request as it starts: {@code req} names it ({@code t12.5}: connection 12's fifth request; {@code w}: a console
     * request), {@code accounts} the accounts it names, {@code at} the wall-clock time in ms.
     */
    record Started(long number, String req, String user, String op, Long amount, List<String> accounts, long at)
            implements Event {
        @Override
        public boolean visibleTo(Caller caller) {
            return caller.isAuditor() || caller.user().equals(user);
        }

        @Override
        public String kind() {
            return "activity";
        }
    }

    /**
     * A request as its reply left: its outcome, the transaction it made (0: none), its latency from read to flush,
     * and the balances its result shows (a loan's outstanding amount under the loan's number).
     */
    record Done(
            long number,
            String req,
            String user,
            String op,
            boolean ok,
            String code,
            long tx,
            long latencyUs,
            Map<String, Long> balances,
            long at)
            implements Event {
        @Override
        public boolean visibleTo(Caller caller) {
            return caller.isAuditor() || caller.user().equals(user);
        }

        @Override
        public String kind() {
            return "activity";
        }
    }

    /** A transaction the journal keeps. */
    record Durable(long number, Transaction transaction) implements Event {
        @Override
        public boolean visibleTo(Caller caller) {
            return caller.isAuditor() || caller.user().equals(transaction.user());
        }

        @Override
        public String kind() {
            return "durable";
        }
    }

    private final AtomicReferenceArray<Event> slots = new AtomicReferenceArray<>(SLOTS);
    /** Steps not recorded for want of budget, bank-wide and by user (whose steps they were). */
    private final LongAdder dropped = new LongAdder();

    private final ConcurrentHashMap<String, LongAdder> droppedBy = new ConcurrentHashMap<>();
    /** Writers record while {@link #next} is below this; a poll moves it on once a tick. */
    private volatile long budgetEnd = BUDGET_PER_TICK + 1;

    private volatile long budgetRefilledNanos = System.nanoTime();
    private final AtomicLong next = new AtomicLong(1);
    private final AtomicInteger watchers = new AtomicInteger();
    /** Feeds open per customer: at most {@link #MAX_WATCHERS_PER_CUSTOMER}. */
    private final ConcurrentHashMap<String, AtomicInteger> watchersBy = new ConcurrentHashMap<>();

    private final SecretKeySpec reqKey = new SecretKeySpec(randomKey(), "HmacSHA256");
    private final DurableFeed feed;
    /** The durable-feed subscription, open while anyone watches; guarded by {@code this}. */
    private DurableFeed.Subscription subscription;

    private volatile boolean watched;

    /** @param feed where durable transactions come from; null for none (a test's feed of requests only) */
    ActivityFeed(DurableFeed feed) {
        this.feed = feed;
    }

    /** Browsers watching now. */
    int watchers() {
        return watchers.get();
    }

    /** Whether anyone watches: when not, {@link #started} and {@link #done} record nothing. */
    boolean watched() {
        return watched;
    }

    /**
     * Records that {@code request} of {@code caller} starts now, and returns its name ({@code t12.5}: {@code source}
     * {@code t}, connection {@code 12}, its request {@code 5}), for its {@link #done}; or {@code null}, recording
     * nothing, when nobody watches or this tick's budget ({@link #BUDGET_PER_TICK}) is spent: then the step only
     * counts, for the watchers' {@code skipped}, and not even its name is made.
     */
    String started(char source, long connection, long request, Caller caller, Request what) {
        if (!watched || overBudget(caller.user())) {
            return null;
        }
        String req =
                connection < 0 ? source + Long.toString(request) : source + Long.toString(connection) + "." + request;
        long number = next.getAndIncrement();
        publish(new Started(
                number,
                req,
                caller.user(),
                Request.op(what),
                amountOf(what),
                accountsOf(what),
                System.currentTimeMillis()));
        return req;
    }

    /**
     * Whether this tick's budget is spent: then the step is only counted, bank-wide and under {@code user}, and the
     * writer's whole cost is that count (no event, no slot). The budget is refilled by the watchers' polls.
     */
    private boolean overBudget(String user) {
        if (next.get() < budgetEnd) {
            return false;
        }
        dropped.increment();
        droppedBy.computeIfAbsent(user, u -> new LongAdder()).increment();
        return true;
    }

    /**
     * Records that the reply to {@code request} left with {@code outcome}: only for a request whose {@link #started}
     * was recorded (the caller keeps that), so a step is never half there because of the budget.
     */
    void done(String req, Caller caller, Request request, Outcome<?> outcome, long nanos) {
        if (!watched) {
            return;
        }
        long number = next.getAndIncrement();
        ErrorCode code = outcome.isOk() ? null : outcome.error();
        Object value = outcome.isOk() ? outcome.value() : null;
        publish(new Done(
                number,
                req,
                caller.user(),
                Request.op(request),
                outcome.isOk(),
                code == null ? null : code.name(),
                value instanceof Result.Tx tx ? tx.tx() : 0,
                TimeUnit.NANOSECONDS.toMicros(nanos),
                balancesOf(value),
                System.currentTimeMillis()));
    }

    /**
     * Whether the durable feed should read transaction {@code seq} for the watchers: not past this tick's budget, and
     * then it is passed over unread (counted bank-wide: whose it was is not known without reading it).
     */
    private boolean wantDurable(long seq) {
        if (watched && next.get() < budgetEnd) {
            return true;
        }
        dropped.increment();
        return false;
    }

    private void durable(Transaction tx) {
        publish(new Durable(next.getAndIncrement(), tx));
    }

    private void publish(Event event) {
        slots.set((int) (event.number() & MASK), event);
    }

    /** The number the next event will get: a new watcher starts here. */
    long head() {
        return next.get();
    }

    /**
     * A new watcher for {@code caller}, reading from now on; {@code null} when {@link #MAX_WATCHERS} already watch.
     * The first watcher subscribes the feed to durable transactions.
     */
    Watcher watch(Caller caller) {
        if (!caller.isAuditor()) {
            AtomicInteger theirs = watchersBy.computeIfAbsent(caller.user(), u -> new AtomicInteger());
            if (theirs.incrementAndGet() > MAX_WATCHERS_PER_CUSTOMER) {
                theirs.decrementAndGet();
                return null;
            }
        }
        int limit = caller.isAuditor() ? MAX_WATCHERS : MAX_WATCHERS - AUDITOR_RESERVE;
        while (true) {
            int now = watchers.get();
            if (now >= limit) {
                if (!caller.isAuditor()) {
                    watchersBy.get(caller.user()).decrementAndGet();
                }
                return null;
            }
            if (watchers.compareAndSet(now, now + 1)) {
                break;
            }
        }
        synchronized (this) {
            watched = true;
            if (feed != null && (subscription == null || !subscription.isOpen())) { // a dead one is replaced
                subscription = feed.subscribe(this::durable, this::wantDurable, TICK_MS); // a wake-up a tick
            }
        }
        return new Watcher(caller, next.get());
    }

    private void unwatch(Caller caller) {
        if (!caller.isAuditor()) {
            watchersBy.get(caller.user()).decrementAndGet();
        }
        DurableFeed.Subscription closing = null;
        synchronized (this) {
            if (watchers.decrementAndGet() == 0) {
                watched = false;
                closing = subscription;
                subscription = null;
            }
        }
        if (closing != null) {
            closing.close(); // waits for the feed's thread: outside the monitor, so a new watcher is not held up
        }
    }

    /**
     * {@code event} as the console's SSE data for {@code caller}: its record's fields in snake case, without the ring's
     * number, with {@code phase} ({@code started}, {@code done}) for a request's steps; a durable transaction is its
     * journal entry for the auditor, and for a customer the transaction as the reply to their request showed it.
     */
    String json(Event event, Caller caller) {
        if (event instanceof Durable d) {
            // The auditor sees the journal entry (every posting, the vault's too); a customer what the TCP reply
            // to the request showed them: the bank's own balances are not theirs to see.
            Object shown = caller.isAuditor() ? Results.transaction(d.transaction()) : Results.tx(d.transaction());
            return Json.tree(shown).toString();
        }
        ObjectNode node = (ObjectNode) Json.tree(event);
        node.remove("number");
        if (!caller.isAuditor()) { // t12.5 counts connections and requests: the bank's figures, not a customer's
            node.put("req", opaque(node.get("req").asText()));
        }
        node.put("phase", event instanceof Started ? "started" : "done");
        return node.toString();
    }

    /**
     * {@code req} as a customer sees it: a keyed hash (HMAC-SHA-256 with this server's random key, 64 bits of it), the
     * same for a request's two steps, telling nothing of how many connections and requests came before.
     */
    private String opaque(String req) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(reqKey);
            byte[] digest = mac.doFinal(req.getBytes(StandardCharsets.UTF_8));
            return "r" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is in every JDK", e);
        }
    }

    /** What a watcher has to send after one read of the ring. */
    record Batch(List<Event> events, long skipped) {}

    /**
     * One reader of the ring, with its own cursor: {@link #poll} is called by one thread at a time (the watcher's).
     */
    final class Watcher implements AutoCloseable {
        private final Caller caller;
        private long cursor;
        private long droppedSeen;
        private boolean closed;

        private Watcher(Caller caller, long from) {
            this.caller = caller;
            this.cursor = from;
            this.droppedSeen = droppedFor(caller);
        }

        /**
         * Reads what was published since the last poll: the newest {@link #MAX_PER_TICK} events this caller may see,
         * and how many more it may see that were sampled away or lapped.
         */
        Batch poll() {
            refill();
            long head = next.get();
            long droppedNow = droppedFor(caller);
            long skipped = droppedNow - droppedSeen; // not recorded at all, for want of budget
            droppedSeen = droppedNow;
            if (head - cursor > SLOTS) {
                skipped += (head - SLOTS - cursor) * unseen(); // lapped: overwritten before this watcher read them
                cursor = head - SLOTS;
            }
            List<Event> visible = new ArrayList<>();
            while (cursor < head) {
                Event event = slots.get((int) (cursor & MASK));
                if (event == null || event.number() < cursor) {
                    if (head - cursor < GIVE_UP_BEHIND) {
                        break; // claimed, not yet written: read it next time
                    }
                    skipped += unseen(); // its writer stalled far behind the newest: counted, not waited for
                } else if (event.number() > cursor) {
                    skipped += unseen(); // lapped while reading
                } else if (event.visibleTo(caller)) {
                    visible.add(event);
                }
                cursor++;
            }
            if (visible.size() > MAX_PER_TICK) {
                int drop = visible.size() - MAX_PER_TICK;
                skipped += drop;
                visible = new ArrayList<>(visible.subList(drop, visible.size()));
            }
            return new Batch(visible, skipped);
        }

        /**
         * What an event this watcher could not read counts in its {@code skipped}: 1 for the auditor; 0 for a customer,
         * who is not told of events that may not have been theirs (only of their own, through the budget's counts).
         */
        private long unseen() {
            return caller.isAuditor() ? 1 : 0;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            unwatch(caller);
            log.debug("a watcher of {} left", caller.user());
        }
    }

    /** The steps {@code caller} may see that were not recorded: everyone's for the auditor, else their own. */
    private long droppedFor(Caller caller) {
        if (caller.isAuditor()) {
            return dropped.sum();
        }
        LongAdder own = droppedBy.get(caller.user());
        return own == null ? 0 : own.sum();
    }

    /** A new tick's budget, once {@link #TICK_MS} has passed since the last (any watcher's poll may do it). */
    private void refill() {
        long now = System.nanoTime();
        if (now - budgetRefilledNanos >= TimeUnit.MILLISECONDS.toNanos(TICK_MS)) {
            budgetRefilledNanos = now;
            budgetEnd = next.get() + BUDGET_PER_TICK;
        }
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    private static Long amountOf(Request request) {
        if (request instanceof Request.CreateAccount r) {
            return r.amount();
        } else if (request instanceof Request.Deposit r) {
            return r.amount();
        } else if (request instanceof Request.Withdraw r) {
            return r.amount();
        } else if (request instanceof Request.Transfer r) {
            return r.amount();
        } else if (request instanceof Request.ApplyLoan r) {
            return r.amount();
        } else if (request instanceof Request.PayLoanCheck r) {
            return r.amount();
        } else if (request instanceof Request.PayLoanTransfer r) {
            return r.amount();
        }
        return null;
    }

    private static List<String> accountsOf(Request request) {
        if (request instanceof Request.CreateAccount r) {
            return List.of(r.account());
        } else if (request instanceof Request.Deposit r) {
            return List.of(r.account());
        } else if (request instanceof Request.Withdraw r) {
            return List.of(r.account());
        } else if (request instanceof Request.Transfer r) {
            return List.of(r.from(), r.to());
        } else if (request instanceof Request.ApplyLoan r) {
            return List.of(r.account());
        } else if (request instanceof Request.PayLoanCheck r) {
            return List.of(r.loan());
        } else if (request instanceof Request.PayLoanTransfer r) {
            return List.of(r.from(), r.loan());
        } else if (request instanceof Request.Balance r) {
            return List.of(r.account());
        } else if (request instanceof Request.History r) {
            return List.of(r.account());
        }
        return List.of();
    }

    /** The balances a result shows, by account; a loan's outstanding amount (owed: positive) under its number. */
    private static Map<String, Long> balancesOf(Object value) {
        Map<String, Long> balances = new LinkedHashMap<>();
        if (value instanceof Result.Tx tx) {
            put(balances, tx.account(), tx.balance());
            put(balances, tx.from(), tx.fromBalance());
            put(balances, tx.to(), tx.toBalance());
            put(balances, tx.loan(), tx.outstanding());
        } else if (value instanceof Result.Account account) {
            balances.put(account.account(), account.outstanding() != null ? account.outstanding() : account.balance());
        }
        return balances;
    }

    private static void put(Map<String, Long> balances, String account, Long balance) {
        if (account != null && balance != null) {
            balances.put(account, balance);
        }
    }
}
