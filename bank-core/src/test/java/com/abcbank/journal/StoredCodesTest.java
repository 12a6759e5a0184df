package com.abcbank.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.AccountKind;
import com.abcbank.ledger.Posting;
import com.abcbank.ledger.Transaction;
import com.abcbank.ledger.TxType;
import java.io.IOException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The bytes that stand for a transaction type or an account kind on disk. The tables below are what every journal
 * and snapshot written so far holds; they are written out by hand, so that reordering, inserting or renumbering a
 * constant fails here instead of silently reinterpreting the stored records.
 */
class StoredCodesTest {
    /** Append a row for a new constant; never change a row. */
    private static final Map<TxType, Integer> TX_TYPE_ON_DISK = new EnumMap<>(Map.of(
            TxType.OPEN_ACCOUNT, 0,
            TxType.DEPOSIT, 1,
            TxType.WITHDRAW, 2,
            TxType.TRANSFER, 3,
            TxType.LOAN, 4,
            TxType.LOAN_PAYMENT_CHECK, 5,
            TxType.LOAN_PAYMENT_TRANSFER, 6));

    /** Append a row for a new constant; never change a row. */
    private static final Map<AccountKind, Integer> ACCOUNT_KIND_ON_DISK =
            new EnumMap<>(Map.of(AccountKind.CHECKING, 0, AccountKind.LOAN, 1, AccountKind.INTERNAL, 2));

    /** Append a row for a new constant; never change a row. */
    private static final Map<SecurityEvent.Kind, Integer> EVENT_KIND_ON_DISK = new EnumMap<>(Map.of(
            SecurityEvent.Kind.LOGIN_FAILED, 1,
            SecurityEvent.Kind.LOGIN_THROTTLED, 2,
            SecurityEvent.Kind.LOCKOUT, 3,
            SecurityEvent.Kind.OPERATION_DENIED, 4,
            SecurityEvent.Kind.PASSWORD_CHANGED, 5));

    /** Where the event kind byte sits in a security event: format, kind, previous hash, epoch second, nano. */
    private static final int EVENT_KIND_OFFSET = 1 + 1 + RecordCodec.HASH_BYTES + Long.BYTES + Integer.BYTES;

    @Test
    void everySecurityEventKindKeepsTheCodeItHasOnDiskAndAnUnknownOneIsCorruption() throws IOException {
        for (SecurityEvent.Kind kind : SecurityEvent.Kind.values()) {
            assertEquals(EVENT_KIND_ON_DISK.get(kind), kind.code, kind + " has no row or a new code");
            byte[] payload = RecordCodec.encodeEvent(
                    SecurityEvent.of(Instant.parse("2026-12-01T00:00:00Z"), kind, "alice", "127.0.0.1", ""));
            assertEquals(kind.code, payload[EVENT_KIND_OFFSET] & 0xFF);
            assertEquals(kind, RecordCodec.decodeEvent(payload, 1).kind());
            payload[EVENT_KIND_OFFSET] = (byte) 200;
            IOException e = assertThrows(IOException.class, () -> RecordCodec.decodeEvent(payload, 1));
            assertTrue(e.getMessage().contains("unknown event kind 200"), e.getMessage());
        }
    }

    /** Where the type byte sits in a record: format, kind, previous hash, seq, epoch second, nano. */
    private static final int TYPE_OFFSET = 1 + 1 + RecordCodec.HASH_BYTES + Long.BYTES + Long.BYTES + Integer.BYTES;

    @Test
    void everyTransactionTypeKeepsTheCodeItHasOnDisk() {
        for (TxType type : TxType.values()) {
            assertEquals(TX_TYPE_ON_DISK.get(type), type.code, type + " has no row or a new code");
            assertEquals(type, TxType.ofCode(type.code).orElseThrow());
        }
    }

    @Test
    void everyAccountKindKeepsTheCodeItHasOnDisk() {
        for (AccountKind kind : AccountKind.values()) {
            assertEquals(ACCOUNT_KIND_ON_DISK.get(kind), kind.code, kind + " has no row or a new code");
            assertEquals(kind, AccountKind.ofCode(kind.code).orElseThrow());
        }
    }

    @Test
    void aRecordCarriesTheTypeCodeAndDecodesBackByIt() throws IOException {
        for (TxType type : TxType.values()) {
            byte[] payload = RecordCodec.encode(transaction(type), RecordCodec.NO_PREVIOUS);
            assertEquals(TX_TYPE_ON_DISK.get(type), payload[TYPE_OFFSET] & 0xFF);
            assertEquals(type, RecordCodec.decode(payload).tx().type());
        }
    }

    @Test
    void anUnknownTypeCodeIsCorruptionNotACrash() {
        byte[] payload = RecordCodec.encode(transaction(TxType.DEPOSIT), RecordCodec.NO_PREVIOUS);
        payload[TYPE_OFFSET] = (byte) 200;
        IOException e = assertThrows(IOException.class, () -> RecordCodec.decode(payload));
        assertTrue(e.getMessage().contains("unknown transaction type 200"), e.getMessage());
        assertTrue(AccountKind.ofCode(200).isEmpty());
    }

    private static Transaction transaction(TxType type) {
        Instant time = Instant.parse("2026-12-01T00:00:00.123456789Z");
        if (type == TxType.OPEN_ACCOUNT) {
            return new Transaction(1, time, type, "alice", "1001", List.of(), null);
        }
        List<Posting> postings = List.of(new Posting("VAULT-00", -500, -500), new Posting("1001", 500, 700));
        return new Transaction(1, time, type, "alice", null, postings, null);
    }
}
