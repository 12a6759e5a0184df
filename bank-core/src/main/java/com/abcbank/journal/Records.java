package com.abcbank.journal;

import com.abcbank.ledger.Transaction;
import java.io.IOException;

/**
 * A committed transaction as the journal's record encodes it, for sending it to another node: a cluster node that
 * fell behind a snapshot fetches the transactions it misses from a peer, in this form, and replays them into its
 * ledger and journal exactly as they were committed (its chain then reaches the snapshot's head, byte for byte).
 * The hash-chain link is not carried: the receiving journal chains each record to its own last one.
 */
public final class Records {
    private Records() {}

    public static byte[] encode(Transaction tx) {
        return RecordCodec.encode(tx, RecordCodec.NO_PREVIOUS);
    }

    /**
     * The transaction {@code bytes} encodes.
     *
     * @throws IOException if {@code bytes} is not a transaction's record
     */
    public static Transaction decode(byte[] bytes) throws IOException {
        if (RecordCodec.isEvent(bytes)) {
            throw new IOException("a security event, not a transaction");
        }
        return RecordCodec.decode(bytes).tx();
    }
}
