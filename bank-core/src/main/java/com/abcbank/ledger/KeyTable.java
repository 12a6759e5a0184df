package com.abcbank.ledger;

import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Idempotency keys: a request with a key moves money at most once, however often it is retried.
 *
 * <h2>The protocol</h2>
 * A key belongs to the user who sent it: its slot is {@code user + NUL + key} ({@link #slot}, the one place that
 * says so; NUL cannot occur in a user name or a key, so two users' keys never meet). A request
 * <ol>
 *   <li><b>reserves</b> the slot: {@code putIfAbsent} of an entry holding its {@link Intent} and an incomplete
 *       future. The winner runs the operation; nobody else can run it for that slot meanwhile.</li>
 *   <li>On success it <b>remembers</b>: completes the future with the transaction, and the entry stays until
 *       {@link #forgetBefore} drops it. On a refusal (or a throw) it <b>releases</b>: removes its own entry
 *       (only its own: {@code remove(slot, entry)}) and completes the future with {@code null}; a refused
 *       request changed nothing, so a retry may run afresh.</li>
 *   <li>A request that finds the slot taken with another intent is {@code KEY_REUSED}; with the same intent it
 *       <b>waits</b> for the first attempt's future, for at most {@link #WAIT_SECONDS}, and returns the same
 *       transaction, or, if the first was refused, tries to reserve again.</li>
 * </ol>
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>At most one entry per slot, and an entry leaves only by its owner's release or by being forgotten.</li>
 *   <li>A waiter holds no lock while it waits: the first attempt may need locks, and waiting under one could
 *       deadlock. So reservations come before every lock of the ledger's lock order, and are not locks.</li>
 *   <li>The transactions of entries restored from the journal or a state ({@link #remember}) are complete: a
 *       retry after a restart gets the transaction that the first attempt made before it.</li>
 * </ul>
 */
final class KeyTable {
    /** How long a retry may wait for the first attempt with its key, which holds no lock while it is waited for. */
    static final long WAIT_SECONDS = 30;

    private final ConcurrentHashMap<String, Entry> keys = new ConcurrentHashMap<>();

    /** What a key asked for and, once committed, the transaction it made ({@code null}: refused, key released). */
    private static final class Entry {
        final Intent intent;
        final CompletableFuture<Transaction> done = new CompletableFuture<>();

        Entry(Intent intent) {
            this.intent = intent;
        }
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
            Entry mine = new Entry(intent);
            Entry theirs = keys.putIfAbsent(slot, mine);
            if (theirs == null) {
                return runReserved(slot, mine, key, op);
            }
            if (!theirs.intent.equals(intent)) {
                return Outcome.fail(
                        ErrorCode.KEY_REUSED,
                        "key " + key + " was used for another request ("
                                + theirs.intent.type().name().toLowerCase(Locale.ROOT) + " of "
                                + Money.format(theirs.intent.amountCents()) + ")");
            }
            Transaction earlier = await(theirs, key);
            if (earlier != null) {
                return Outcome.ok(earlier);
            }
            // The first attempt was refused and released the key: this one runs on its own merits.
        }
    }

    private Outcome<Transaction> runReserved(
            String slot, Entry mine, String key, Function<String, Outcome<Transaction>> op) {
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
        } else {
            keys.remove(slot, mine);
            mine.done.complete(null);
        }
        return outcome;
    }

    private static Transaction await(Entry theirs, String key) {
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
        Entry entry = new Entry(Intent.of(tx));
        entry.done.complete(tx);
        keys.put(slot(tx.user(), tx.key()), entry);
    }

    /** Forgets the keys of transactions committed before {@code cutoff}: retries older than that run afresh. */
    void forgetBefore(Instant cutoff) {
        keys.values().removeIf(entry -> {
            Transaction tx = entry.done.getNow(null);
            return tx != null && tx.time().isBefore(cutoff);
        });
    }
}
