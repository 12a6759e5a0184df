package com.abcbank.ledger;

import java.time.Instant;

/**
 * One line of an account's statement.
 *
 * @param amountCents       what this transaction added to the account (negative when it took away)
 * @param counterparty      the other account of the transaction, or {@code null} if there was none
 * @param balanceAfterCents the account's balance right after this transaction
 */
public record HistoryEntry(
        long seq,
        Instant time,
        TxType type,
        String user,
        long amountCents,
        String counterparty,
        long balanceAfterCents) {

    static HistoryEntry of(Transaction tx, String account) {
        Posting own = tx.postingTo(account);
        String counterparty = null;
        for (Posting posting : tx.postings()) {
            if (!posting.account().equals(account)) {
                counterparty = posting.account();
            }
        }
        return new HistoryEntry(
                tx.seq(),
                tx.time(),
                tx.type(),
                tx.user(),
                own == null ? 0 : own.amountCents(),
                counterparty,
                own == null ? 0 : own.balanceAfterCents());
    }
}
