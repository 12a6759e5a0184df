package com.abcbank.journal;

import com.abcbank.ledger.AccountView;
import com.abcbank.ledger.Posting;
import com.abcbank.ledger.Snapshot;
import com.abcbank.ledger.Transaction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The proof of the books: re-reads the journal from its first record, independently of the live ledger's data
 * structures and arithmetic, and checks it against a snapshot of the live ledger.
 *
 * <p>Checked: every frame's checksum and every record's link in the hash chain (an edited, inserted or removed
 * record breaks it), sequence numbers 1..n without gaps (security events between transactions are checked in the chain and counted), every transaction's postings summing to zero, every
 * posting's balance-after equal to the running balance recounted here, and finally every live balance equal to
 * the recount at the snapshot's sequence number (and the recount naming no account the ledger lacks).
 */
public final class Verifier {
    private Verifier() {}

    /**
     * What verification found.
     *
     * @param asOfSeq      the live snapshot's sequence number, up to which the journal was read
     * @param transactions transactions read and checked
     * @param accounts     live accounts compared with the recount
     * @param problems     what is wrong (empty when the books are proven), at most {@link #MAX_PROBLEMS}
     * @param millis       how long it took
     * @param events       security events read and checked in the chain (up to the last transaction read)
     * @param head         transaction {@code asOfSeq} and the hash of its record ({@link ChainHead#EMPTY} for 0), as
     *                     {@link Journal#head} reports it; {@code null} if the journal could not be read up to it
     */
    public record Report(
            long asOfSeq,
            long transactions,
            int accounts,
            List<String> problems,
            long millis,
            long events,
            ChainHead head) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    static final int MAX_PROBLEMS = 20;

    /** Verifies the journal in {@code dir} against {@code live}, whose transactions must all be in it by now. */
    public static Report verify(Path dir, Snapshot live) throws IOException {
        long started = System.nanoTime();
        Map<String, Long> recount = new HashMap<>();
        List<String> problems = new ArrayList<>();
        long[] read = {0};
        long events = 0;
        ChainHead head = null;
        try {
            JournalReader.Result result = JournalReader.inspect(dir, live.lastSeq(), tx -> {
                read[0]++;
                check(tx, recount, problems);
            });
            events = result.events();
            if (result.lastSeq() == live.lastSeq()) {
                head = result.head();
            }
            if (live.lastSeq() > 0 && result.lastSeq() != live.lastSeq()) {
                problem(
                        problems,
                        "the journal ends at transaction " + result.lastSeq() + ", the ledger is at " + live.lastSeq());
            }
        } catch (JournalCorruptedException e) {
            problem(problems, e.getMessage());
        }
        Map<String, Long> liveBalances = new HashMap<>();
        for (AccountView account : live.accounts()) {
            liveBalances.put(account.number(), account.balanceCents());
            long recounted = recount.getOrDefault(account.number(), 0L);
            if (recounted != account.balanceCents()) {
                problem(
                        problems,
                        "account " + account.number() + ": live balance " + account.balanceCents()
                                + ", journal recount " + recounted);
            }
        }
        for (String number : recount.keySet()) {
            if (!liveBalances.containsKey(number)) {
                problem(problems, "the journal names account " + number + ", which the ledger lacks");
            }
        }
        return new Report(
                live.lastSeq(),
                read[0],
                live.accounts().size(),
                List.copyOf(problems),
                (System.nanoTime() - started) / 1_000_000,
                events,
                head);
    }

    private static void check(Transaction tx, Map<String, Long> recount, List<String> problems) {
        long sum = 0;
        for (Posting posting : tx.postings()) {
            sum += posting.amountCents();
            long balance = recount.merge(posting.account(), posting.amountCents(), Long::sum);
            if (balance != posting.balanceAfterCents()) {
                problem(
                        problems,
                        "tx " + tx.seq() + ": " + posting.account() + " balance after " + posting.balanceAfterCents()
                                + ", recount " + balance);
            }
        }
        if (sum != 0) {
            problem(problems, "tx " + tx.seq() + ": postings sum to " + sum);
        }
        if (tx.opened() != null) {
            recount.putIfAbsent(tx.opened(), 0L);
        }
    }

    private static void problem(List<String> problems, String problem) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(problem);
        }
    }
}
