package com.abcbank.ledger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One page of the auditor's journal view ({@code show_history}) in a ledger with a store: the disk below the index
 * boundary, memory above it (why no transaction is skipped or repeated there: {@link Statements}).
 *
 * <p>What each filter costs, so that a page stays cheap on a bank of ten million transactions:
 * <ul>
 *   <li>{@code account}: the account's own index, one read per transaction of that account.</li>
 *   <li>{@code from} and {@code to}: times never go back in sequence order, so each bound is a binary search by
 *       number (some 24 reads), and the scan runs between them only.</li>
 *   <li>{@code user}, or nothing: a scan from the cursor. At most {@link #SCAN_BUDGET} records are read for one
 *       page; a page that reaches the budget first is returned short, with a cursor where the scan stopped, so
 *       the next page goes on from there (a filter that matches rarely costs several pages, never one long read).</li>
 * </ul>
 * One object per page, on the reader's thread; it holds no lock.
 */
final class StorePage {
    /** The most records one page reads from disk, when a filter matches rarely. */
    static final int SCAN_BUDGET = 100_000;
    /** Records read per call to the store in a scan. */
    private static final int CHUNK = 4_096;

    private final Statements statements;
    private final TransactionLog log;
    private final HistoryStore store;
    private final Function<String, Account> accounts;

    StorePage(Statements statements, TransactionLog log, HistoryStore store, Function<String, Account> accounts) {
        this.statements = statements;
        this.log = log;
        this.store = store;
        this.accounts = accounts;
    }

    Page<Transaction> page(TransactionQuery query) {
        long last = log.lastSeq();
        if (query.after() >= last) {
            return new Page<>(List.of(), null);
        }
        if (query.account() != null) {
            return accountPage(query, last);
        }
        long from = query.after();
        long until = last;
        if (query.from() != null) {
            from = Math.max(from, firstAtOrAfter(query.from(), last) - 1);
        }
        if (query.to() != null) {
            until = Math.min(until, firstAtOrAfter(query.to(), last) - 1);
        }
        long before = log.indexedUpTo();
        List<Transaction> heldCopy = log.copyHeld(Math.max(from, before), until);
        long boundary = log.indexedUpTo(); // after the copy: see Statements
        List<Transaction> items = new ArrayList<>(Math.min(query.limit(), 64));
        long diskUntil = Math.min(boundary, until);
        long scanned = from;
        int budget = SCAN_BUDGET;
        while (scanned < diskUntil) {
            if (budget <= 0) {
                return new Page<>(items, scanned); // short: the next page goes on from here
            }
            long chunkEnd = Math.min(diskUntil, scanned + CHUNK);
            items.addAll(store.read(scanned, chunkEnd, query::matches, query.limit() - items.size()));
            if (items.size() == query.limit()) {
                return full(items, last);
            }
            budget -= (int) (chunkEnd - scanned);
            scanned = chunkEnd;
        }
        for (Transaction tx : heldCopy) {
            if (tx.seq() > Math.max(from, boundary) && tx.seq() <= until && query.matches(tx)) {
                items.add(tx);
                if (items.size() == query.limit()) {
                    return full(items, last);
                }
            }
        }
        return new Page<>(items, null);
    }

    /** A page of one account's transactions, read through its own index; the other filters apply on top. */
    private Page<Transaction> accountPage(TransactionQuery query, long last) {
        Account account = accounts.apply(query.account());
        List<Transaction> items = new ArrayList<>(Math.min(query.limit(), 64));
        if (account == null) {
            return new Page<>(items, null);
        }
        long cursor = query.after();
        int chunk = query.limit();
        for (int budget = SCAN_BUDGET; budget > 0; budget -= chunk) {
            List<Transaction> txs = statements.ofAccount(account, cursor, chunk);
            for (int i = 0; i < txs.size() && i < chunk; i++) {
                Transaction tx = txs.get(i);
                if (tx.seq() > last || (query.to() != null && !tx.time().isBefore(query.to()))) {
                    return new Page<>(items, null); // the end of what is committed now, or of the time range
                }
                if (query.matches(tx)) {
                    items.add(tx);
                    if (items.size() == query.limit()) {
                        return full(items, last);
                    }
                }
                cursor = tx.seq();
            }
            if (txs.size() <= chunk) {
                return new Page<>(items, null);
            }
        }
        return new Page<>(items, cursor < last ? cursor : null);
    }

    private static Page<Transaction> full(List<Transaction> items, long last) {
        long seq = items.get(items.size() - 1).seq();
        return new Page<>(items, seq < last ? seq : null);
    }

    /** The first number in {@code [1, last]} committed at or after {@code time}, or {@code last + 1}: a search. */
    private long firstAtOrAfter(Instant time, long last) {
        long low = 1;
        long high = last + 1;
        while (low < high) {
            long mid = (low + high) >>> 1;
            Transaction tx = statements.transaction(mid);
            if (tx.time().isBefore(time)) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }
}
