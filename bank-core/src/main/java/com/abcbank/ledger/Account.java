package com.abcbank.ledger;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One account and the lock that guards it.
 *
 * <p>{@link #lock} guards {@code balanceCents}, {@code created} and the account's history: every read and write of
 * them happens with the lock held. Accounts are locked in ascending {@link #ordinal} order (see {@link Ledger}); an
 * ordinal is fixed at construction and ordinals only grow, so an account created while older ones are held is
 * always later in the order than they are.
 *
 * <h2>History: indexed on disk, or held in memory</h2>
 * The transactions that touched this account are in two parts, both in sequence order, and under the lock they
 * partition the account's history: {@code indexed}, the sequence numbers of those that the journal's store has
 * indexed (read back from disk by {@link Statements}), then {@code held}, the transactions still held as objects.
 * Every transaction the account applies while serving goes to {@code held}; the store's indexer moves it to
 * {@code indexed} ({@link #indexed}), under this lock, in one step: appending its number and dropping its object.
 * So a reader that copies both under the lock sees each transaction exactly once. A ledger without a store
 * never indexes: everything stays held (the in-memory bank). Replay with a store holds nothing
 * ({@code hold = false}): those transactions are on disk already and the store indexes them before anyone reads.
 *
 * <p>Memory: 8 bytes per indexed transaction (a {@code long[]} growing by half, so up to a third more), nothing
 * per held one beyond the array slot; an account with nothing held keeps no array.
 */
final class Account {
    private static final long[] NO_SEQS = {};

    final String number;
    final AccountKind kind;
    final String owner;
    final long ordinal;
    final ReentrantLock lock = new ReentrantLock();

    private long balanceCents;
    private Instant created;
    /** The last transaction applied here: transactions arrive in sequence order. */
    private long lastSeq;

    private long[] indexed = NO_SEQS;
    private int indexedCount;
    /** Held transactions are {@code held[heldStart .. heldStart + heldCount)}; {@code null} when none. */
    private Transaction[] held;

    private int heldStart;
    private int heldCount;

    /** @param created when the account came to be, or {@code null}: the time of the transaction that opens it */
    Account(String number, AccountKind kind, String owner, long ordinal, Instant created) {
        this.number = number;
        this.kind = kind;
        this.owner = owner;
        this.ordinal = ordinal;
        this.created = created;
    }

    long balanceCents() {
        assertLocked();
        return balanceCents;
    }

    /** Records {@code tx} as the latest transaction on this account, held in memory; it must post to it or open it. */
    void apply(Transaction tx) {
        apply(tx, true);
    }

    /**
     * Records {@code tx} as the latest transaction on this account; it must post to it or open it.
     *
     * @param hold keep the object until the store indexes it; {@code false} only for replay with a store
     */
    void apply(Transaction tx, boolean hold) {
        assertLocked();
        if (created == null && kind != AccountKind.INTERNAL) {
            created = tx.time(); // internal accounts have no opening: they exist as long as the books do
        }
        Posting posting = tx.postingTo(number);
        if (posting != null) {
            long expected = Math.addExact(balanceCents, posting.amountCents());
            if (expected != posting.balanceAfterCents()) {
                throw new IllegalStateException("account " + number + ": posting of tx " + tx.seq()
                        + " says balance after " + posting.balanceAfterCents() + ", ledger has " + expected);
            }
            balanceCents = expected;
        }
        if (lastSeq >= tx.seq()) {
            throw new IllegalStateException("account " + number + ": tx " + tx.seq() + " applied after tx " + lastSeq);
        }
        lastSeq = tx.seq();
        if (hold) {
            hold(tx);
        }
    }

    private void hold(Transaction tx) {
        if (held == null) {
            held = new Transaction[2];
            heldStart = 0;
        } else if (heldStart + heldCount == held.length) {
            Transaction[] room = heldCount * 2 <= held.length ? held : new Transaction[held.length * 2];
            System.arraycopy(held, heldStart, room, 0, heldCount);
            Arrays.fill(room, heldCount, room.length, null);
            held = room;
            heldStart = 0;
        }
        held[heldStart + heldCount++] = tx;
    }

    /**
     * The store indexed transaction {@code seq}, which touches this account: from now on it is read from disk. Drops
     * the held object, if this account holds it (it does not after a replay with a store).
     */
    void indexed(long seq) {
        assertLocked();
        if (indexedCount > 0 && indexed[indexedCount - 1] >= seq) {
            throw new IllegalStateException(
                    "account " + number + ": tx " + seq + " indexed after tx " + indexed[indexedCount - 1]);
        }
        if (indexedCount == indexed.length) {
            indexed = Arrays.copyOf(indexed, Math.max(4, indexedCount + (indexedCount >> 1)));
        }
        indexed[indexedCount++] = seq;
        if (heldCount > 0 && held[heldStart].seq() == seq) {
            held[heldStart++] = null;
            if (--heldCount == 0) {
                held = null; // most accounts hold nothing most of the time: keep no array for them
            }
        }
    }

    /** Sets the balance and creation time of an account being restored, before it has any history here. */
    void restore(long balance, Instant createdAt) {
        assertLocked();
        if (lastSeq != 0) {
            throw new IllegalStateException("account " + number + " restored after transactions");
        }
        balanceCents = balance;
        created = createdAt;
    }

    AccountView view() {
        assertLocked();
        return new AccountView(number, kind, owner, created, balanceCents);
    }

    /**
     * Up to {@code limit + 1} of this account's transactions with a sequence number above {@code afterSeq}, in
     * sequence order: the indexed ones by number, then the held ones. Copies, so the caller reads them after
     * releasing the lock.
     */
    Slice historyAfter(long afterSeq, int limit) {
        assertLocked();
        int want = limit + 1;
        int from = Arrays.binarySearch(indexed, 0, indexedCount, afterSeq);
        from = from >= 0 ? from + 1 : -from - 1;
        int to = (int) Math.min(indexedCount, (long) from + want);
        long[] seqs = Arrays.copyOfRange(indexed, from, to);
        int left = want - seqs.length;
        int end = heldStart + heldCount;
        int first = firstHeldAfter(afterSeq);
        int last = Math.min(end, first + left);
        List<Transaction> heldTxs = held == null ? List.of() : List.of(Arrays.copyOfRange(held, first, last));
        return new Slice(seqs, heldTxs);
    }

    /** The index in {@code held} of the first held transaction numbered above {@code afterSeq} (binary search). */
    private int firstHeldAfter(long afterSeq) {
        int low = heldStart;
        int high = heldStart + heldCount;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (held[mid].seq() <= afterSeq) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** Part of an account's history: numbers to read from the store, then transactions held in memory. */
    // A copy made for one reader, read once and never compared or printed: identity equals does no harm.
    @SuppressWarnings("ArrayRecordComponent")
    record Slice(long[] indexedSeqs, List<Transaction> held) {}

    private void assertLocked() {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("account " + number + " used without its lock");
        }
    }

    @Override
    public String toString() {
        return kind + " " + number;
    }
}
