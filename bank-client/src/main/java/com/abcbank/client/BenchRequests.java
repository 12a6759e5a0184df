package com.abcbank.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes one bench connection's requests as request lines straight into a byte buffer, from byte templates and
 * ASCII digits: no {@code Request} object, no {@code String}, no JSON library per request.
 *
 * <p>The bytes are exactly those of {@code Json.writeRequest(id, workload.request())} plus the newline (a test
 * compares the two for every mix): {@code {"id":7,"op":"transfer","from":"123450000001","to":"123450000002",
 * "amount":5,"key":"bench-12345-0-9"}}. That holds because everything variable in a bench request is a
 * non-negative whole number (the id, the account numbers, the cents, the key's counter) or the key's fixed prefix
 * of letters, digits and dashes: nothing that JSON would escape. Should {@code Json} ever change its output (member
 * order, spacing), that test fails, and this class follows it.
 *
 * <p>Bounded: a line is at most {@link #MAX_LINE_BYTES}; the caller makes room for that much before each call.
 * Not thread-safe: one per connection, on its loop's thread.
 */
final class BenchRequests {
    /**
     * The longest line: 64 bytes of member names and punctuation, a 19-digit id, two 12-digit accounts, a 3-digit
     * amount, and a key of {@code bench-} (6), a 5-digit tag, a dash, a connection up to 4 digits, a dash and a
     * 19-digit counter; 256 covers that with room to spare.
     */
    static final int MAX_LINE_BYTES = 256;

    private static final byte[] ID = ascii("{\"id\":");
    private static final byte[] TRANSFER = ascii(",\"op\":\"transfer\",\"from\":\"");
    private static final byte[] TO = ascii("\",\"to\":\"");
    private static final byte[] DEPOSIT = ascii(",\"op\":\"deposit\",\"account\":\"");
    private static final byte[] WITHDRAW = ascii(",\"op\":\"withdraw\",\"account\":\"");
    private static final byte[] BALANCE = ascii(",\"op\":\"balance\",\"account\":\"");
    private static final byte[] AMOUNT = ascii("\",\"amount\":");
    private static final byte[] KEY = ascii(",\"key\":\"");
    private static final byte[] END_STRING = ascii("\"}\n");

    /** This connection's key prefix, as bytes: {@code bench-12345-3-}. */
    private final byte[] keyPrefix;

    BenchRequests(String keyPrefix) {
        for (int i = 0; i < keyPrefix.length(); i++) {
            char c = keyPrefix.charAt(i);
            if (!(c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) {
                throw new IllegalArgumentException("a key prefix JSON would escape: " + keyPrefix);
            }
        }
        this.keyPrefix = ascii(keyPrefix);
    }

    /**
     * Appends the line of {@code workload}'s last draw, under {@code id}, at {@code out}'s position, and moves the
     * position past it.
     *
     * @throws IllegalArgumentException if {@code out} has less than {@link #MAX_LINE_BYTES} left, or a negative id
     */
    void encode(long id, BenchWorkload workload, ByteBuffer out) {
        if (out.remaining() < MAX_LINE_BYTES || id < 0) {
            throw new IllegalArgumentException("no room for a request, or a negative id: " + id); // a caller's bug
        }
        byte[] bytes = out.array();
        int at = out.arrayOffset() + out.position();
        at = put(bytes, at, ID);
        at = digits(bytes, at, id);
        BenchWorkload.Op op = workload.op();
        at = put(bytes, at, head(op));
        at = digits(bytes, at, workload.sourceNumber());
        if (op == BenchWorkload.Op.BALANCE) {
            at = put(bytes, at, END_STRING);
        } else {
            if (op == BenchWorkload.Op.TRANSFER) {
                at = put(bytes, at, TO);
                at = digits(bytes, at, workload.targetNumber());
            }
            at = put(bytes, at, AMOUNT);
            at = digits(bytes, at, workload.amountCents());
            at = put(bytes, at, KEY);
            at = put(bytes, at, keyPrefix);
            at = digits(bytes, at, workload.keyNumber());
            at = put(bytes, at, END_STRING);
        }
        out.position(at - out.arrayOffset());
    }

    private static byte[] head(BenchWorkload.Op op) {
        return switch (op) {
            case TRANSFER -> TRANSFER;
            case DEPOSIT -> DEPOSIT;
            case WITHDRAW -> WITHDRAW;
            case BALANCE -> BALANCE;
        };
    }

    private static int put(byte[] bytes, int at, byte[] template) {
        System.arraycopy(template, 0, bytes, at, template.length);
        return at + template.length;
    }

    /** Writes {@code value} (at least 0) in decimal at {@code at}, the way {@code Long.toString} would. */
    static int digits(byte[] bytes, int at, long value) {
        int length = 1;
        for (long rest = value / 10; rest > 0; rest /= 10) {
            length++;
        }
        long rest = value;
        for (int i = at + length - 1; i >= at; i--) {
            bytes[i] = (byte) ('0' + (int) (rest % 10));
            rest /= 10;
        }
        return at + length;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
