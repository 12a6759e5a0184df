package com.abcbank.ledger;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * Idempotency keys: a request with a key moves money at most once, however often it is retried.
 *
 * <h2>The protocol</h2>
 * A key belongs to the user who sent it: its slot is {@code user + NUL + key} ({@link #slot}, the one place that
 * says so; NUL cannot occur in a user name or a key, so two users' keys never meet). A request
 * <ol>
 *   <li><b>reserves</b> the slot: {@code putIfAbsent} of an entry holding its {@link Intent} and an incomplete
 *       future. The winner runs the operation; nobody else can run it for that slot meanwhile.</li>
 *   <li>On success it <b>remembers</b>: completes the future with the transaction, and replaces its entry with a
 *       small one that holds only the transaction's sequence number, which stays until it is forgotten (below).
 *       On a refusal (or a throw) it <b>releases</b>: removes its own entry (only its own: {@code remove(slot,
 *       entry)}) and completes the future with {@code null}; a refused request changed nothing, so a retry may run
 *       afresh.</li>
 *   <li>A request that finds the slot taken with another intent is {@code KEY_REUSED}; with the same intent it
 *       <b>waits</b> for the first attempt's future, for at most {@link #WAIT_SECONDS}, and returns the same
 *       transaction, or, if the first was refused, tries to reserve again. A request that finds a remembered
 *       number reads the transaction back ({@link Statements#transaction}: from memory, or from the journal once
 *       it left memory), and compares the intent it derives from it ({@link Intent#of}).</li>
 * </ol>
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>At most one entry per slot, and an entry leaves only by its owner's release or by being forgotten.</li>
 *   <li>A waiter holds no lock while it waits: the first attempt may need locks, and waiting under one could
 *       deadlock. So reservations come before every lock of the ledger's lock order, and are not locks. Reading a
 *       remembered transaction back (I/O) happens there too, outside every lock.</li>
 *   <li>The transactions of entries restored from the journal or a state ({@link #remember}) are committed: a
 *       retry after a restart gets the transaction that the first attempt made before it.</li>
 * </ul>
 *
 * <h2>Bounded: a window and a count</h2>
 * A remembered key is forgotten when its transaction is older than the window the server sets
 * ({@link #forgetBelow}, called with the first number inside the window), or when more than {@code maxKeys} keys are
 * remembered: then the oldest remembered goes first ({@link #recent}, a ring in the order keys were remembered). A
 * retry of a forgotten key runs afresh, as a new request: it moves money again if it is allowed. So a client must
 * not retry later than the window, nor after {@code maxKeys} newer keyed requests. Cost: about 100 bytes per
 * remembered key plus the key's characters (the map's node, the slot string, the entry, a slot of the ring).
 */
final class KeyTable {
    /** How long a retry may wait for the first attempt with its key, which holds no lock while it is waited for. */
    static final long WAIT_SECONDS = 30;
    /** The most keys remembered at once, by default: past it the oldest are forgotten first. */
    static final int DEFAULT_MAX_KEYS = 1_000_000;

    private final ConcurrentHashMap<String, Entry> keys = new ConcurrentHashMap<>();
    /** Reads a committed transaction back by number, wherever it is kept. */
    private final LongFunction<Transaction> lookup;

    private final int maxKeys;
    /**
     * The remembered entries, in the order they were remembered, a ring that grows up to {@link #maxKeys}; then a
     * new one pushes the oldest out. Guarded by {@link #ring} (held for a few array stores per keyed commit).
     */
    private Kept[] recent;

    private long remembered; // guarded by ring, as is recent
    private final Object ring = new Object();

    /** What a slot holds: a request in flight, or the number of the transaction a committed one made. */
    private sealed interface Entry permits Pending, Kept {}

    /** A request in flight: what it asked for and, once decided, the transaction it made ({@code null}: refused). */
    private static final class Pending implements Entry {
        final Intent intent;
        final CompletableFuture<Transaction> done = new CompletableFuture<>();

        Pending(Intent intent) {
            this.intent = intent;
        }
    }

    /** A committed request: its slot (the map's own key string) and its transaction's number. */
    private record Kept(String slot, long seq) implements Entry {}

    KeyTable(int maxKeys, LongFunction<Transaction> lookup) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("at least one key must be remembered: " + maxKeys);
        }
        this.maxKeys = maxKeys;
        this.recent = new Kept[Math.min(16, maxKeys)];
        this.lookup = lookup;
    }

    private static String slot(String user, String key) {
        return user + '\0' + key;
    }

    /**
     * Runs {@code op} at most once per key of {@code user}: see the class comment. Without a key ({@code null})
     * it simply runs. {@code op} gets the key to record with the transaction it makes.
     */
    Outcome<Transaction> once(String user, String key, Intent intent, Function<String, Outcome<Transaction>> op) {
        if (key == null) {
            return op.apply(null);
        }
        if (!Ledger.KEY.matcher(key).matches()) {
            return Outcome.fail(ErrorCode.INVALID_ARGUMENT, Ledger.KEY_RULE);
        }
        String slot = slot(user, key);
        while (true) {
            Pending mine = new Pending(intent);
            Entry theirs = keys.putIfAbsent(slot, mine);
            if (theirs == null) {
                return runReserved(slot, mine, key, op);
            }
            if (theirs instanceof Kept kept) {
                Transaction earlier = lookup.apply(kept.seq());
                if (earlier == null) {
                    throw new IllegalStateException("key " + key + " names tx " + kept.seq() + ", which is not found");
                }
                Intent theirIntent = Intent.of(earlier);
                return theirIntent.equals(intent) ? Outcome.ok(earlier) : reused(key, theirIntent);
            }
            Pending pending = (Pending) theirs;
            if (!pending.intent.equals(intent)) {
                return reused(key, pending.intent);
            }
            Transaction earlier = await(pending, key);
            if (earlier != null) {
                return Outcome.ok(earlier);
            }
            // The first attempt was refused and released the key: this one runs on its own merits.
        }
    }

    private static Outcome<Transaction> reused(String key, Intent theirs) {
        return Outcome.fail(
                ErrorCode.KEY_REUSED,
                "key " + key + " was used for another request ("
                        + theirs.type().name().toLowerCase(Locale.ROOT) + " of " + Money.format(theirs.amountCents())
                        + ")");
    }

    private Outcome<Transaction> runReserved(
            String slot, Pending mine, String key, Function<String, Outcome<Transaction>> op) {
        Outcome<Transaction> outcome;
        try {
            outcome = op.apply(key);
        } catch (RuntimeException | Error e) {
            keys.remove(slot, mine);
            mine.done.completeExceptionally(e);
            throw e;
        }
        if (outcome.isOk()) {
            mine.done.complete(outcome.value());
            Kept kept = new Kept(slot, outcome.value().seq());
            if (keys.replace(slot, mine, kept)) {
                keepRecent(kept);
            }
        } else {
            keys.remove(slot, mine);
            mine.done.complete(null);
        }
        return outcome;
    }

    private static Transaction await(Pending theirs, String key) {
        try {
            return theirs.done.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the first request with key " + key, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the first request with key " + key + " did not finish", e);
        }
    }

    /** Remembers the key of {@code tx}, a committed transaction read back from the journal or a saved state. */
    void remember(Transaction tx) {
        if (tx.key() == null) {
            return;
        }
        String slot = slot(tx.user(), tx.key());
        Kept kept = new Kept(slot, tx.seq());
        keys.put(slot, kept);
        keepRecent(kept);
    }

    /** Puts {@code kept} in the ring of recent entries; the one it pushes out is forgotten, unless replaced since. */
    private void keepRecent(Kept kept) {
        Kept oldest;
        synchronized (ring) {
            if (remembered == recent.length && recent.length < maxKeys) {
                recent = Arrays.copyOf(recent, (int) Math.min(maxKeys, 2L * recent.length));
            }
            int at = (int) (remembered++ % recent.length);
            oldest = recent[at];
            recent[at] = kept;
        }
        if (oldest != null) {
            keys.remove(oldest.slot(), oldest);
        }
    }

    /** Forgets the keys of transactions numbered below {@code firstKeptSeq}: retries of them run afresh. */
    void forgetBelow(long firstKeptSeq) {
        keys.values().removeIf(entry -> entry instanceof Kept kept && kept.seq() < firstKeptSeq);
    }

    /** How many keys are remembered or in flight now. */
    int size() {
        return keys.size();
    }
}
