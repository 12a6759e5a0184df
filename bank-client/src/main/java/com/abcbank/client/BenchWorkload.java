package com.abcbank.client;

import com.abcbank.protocol.Request;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What one bench connection sends next: the request mix, the accounts, the hot account, the amounts.
 *
 * <p>Ownership is what makes every transfer legal: account {@code i} belongs to user {@code i % users}, and
 * connection {@code c} is logged in as user {@code c % users}. A connection moves money out of its own user's
 * accounts only (the bank lets money leave an account at its holder's request alone) and into any account, so
 * with at least one connection per user every account is both debited and credited. The hot account is account 0:
 * a hot transfer goes to it (or, when the source is account 0 itself, from it to any other).
 *
 * <p>Amounts are 0.01 to 1.00 against an opening deposit of {@link #OPENING_CENTS}, so refusals for funds are
 * rare but possible, and counted. Each connection draws from its own {@link SplittableRandom} split from the
 * seed: a run is replayable request for request, and no two connections contend on one generator.
 *
 * <p>A draw ({@link #draw}) leaves the request in primitive fields (op, account indexes, cents, key number) for
 * {@link BenchRequests} to write straight into a buffer; {@link #request} builds the same request as an object, for
 * the tests and for comparing the two encodings. Not thread-safe: one per connection, on its loop's thread.
 */
final class BenchWorkload {
    /** Every account's opening deposit: 10,000.00, ten thousand of the largest transfer. */
    static final long OPENING_CENTS = 1_000_000;

    private static final int MAX_AMOUNT_CENTS = 100;

    /** The request mixes of {@code --mix}. */
    enum Mix {
        TRANSFER,
        DEPOSIT_WITHDRAW,
        BALANCE,
        /** Half transfers, 15% deposits, 15% withdrawals, 20% balances. */
        MIXED;

        /** As typed on the command line: {@code deposit-withdraw}. */
        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Mix parse(String text) {
            for (Mix mix : values()) {
                if (mix.label().equals(text)) {
                    return mix;
                }
            }
            throw new IllegalArgumentException("not a mix: " + text);
        }
    }

    /** What a drawn request does: the op and which of the drawn fields it sends. */
    enum Op {
        /** {@code from}, {@code to}, {@code amount}, {@code key}. */
        TRANSFER,
        /** {@code account} (the drawn source), {@code amount}, {@code key}. */
        DEPOSIT,
        /** {@code account} (the drawn source), {@code amount}, {@code key}. */
        WITHDRAW,
        /** {@code account} (the drawn source) only. */
        BALANCE
    }

    private final BenchAccounts accounts;
    private final Mix mix;
    private final int hotPercent;
    private final int user;
    private final SplittableRandom random;
    /** Keys are {@code prefix + counter}: fresh within the run, and the run's users are new, so fresh for the bank. */
    private final String keyPrefix;

    private long nextKey;

    // The last draw, in primitives, so that the bench's encoder needs no Request object per request.
    private Op op;
    private int source;
    private int target;
    private long amountCents;
    private long keyNumber;

    BenchWorkload(BenchAccounts accounts, Mix mix, int hotPercent, int connection, SplittableRandom random) {
        this.accounts = accounts;
        this.mix = mix;
        this.hotPercent = hotPercent;
        this.user = accounts.userOf(connection);
        this.random = random;
        this.keyPrefix = "bench-" + accounts.tag() + "-" + connection + "-";
    }

    /** The next request of this connection, as an object: {@link #draw} then {@link #request}. */
    Request next() {
        draw();
        return request();
    }

    /** Draws the next request of this connection into {@link #op} and the fields it uses; allocates nothing. */
    void draw() {
        switch (mix) {
            case TRANSFER -> transfer();
            case DEPOSIT_WITHDRAW -> keyed(random.nextBoolean() ? Op.DEPOSIT : Op.WITHDRAW);
            case BALANCE -> balance();
            case MIXED -> mixed(random.nextInt(100));
        }
    }

    /** The last draw as a {@link Request}: what {@link BenchRequests} writes as bytes. */
    Request request() {
        String account = accounts.number(source);
        String key = keyPrefix + keyNumber;
        return switch (op) {
            case TRANSFER -> new Request.Transfer(account, accounts.number(target), amountCents, key);
            case DEPOSIT -> new Request.Deposit(account, amountCents, key);
            case WITHDRAW -> new Request.Withdraw(account, amountCents, key);
            case BALANCE -> new Request.Balance(account);
        };
    }

    Op op() {
        return op;
    }

    /** The account number of the source of a transfer, or of the one account of any other op. */
    long sourceNumber() {
        return accounts.numeric(source);
    }

    /** The account number of the target of a transfer. */
    long targetNumber() {
        return accounts.numeric(target);
    }

    long amountCents() {
        return amountCents;
    }

    /** The idempotency key is {@link #keyPrefix} followed by this number in decimal. */
    long keyNumber() {
        return keyNumber;
    }

    String keyPrefix() {
        return keyPrefix;
    }

    private void mixed(int percentile) {
        if (percentile < 50) {
            transfer();
        } else if (percentile < 65) {
            keyed(Op.DEPOSIT);
        } else if (percentile < 80) {
            keyed(Op.WITHDRAW);
        } else {
            balance();
        }
    }

    private void transfer() {
        source = own();
        boolean hot = hotPercent > 0 && random.nextInt(100) < hotPercent;
        target = hot && source != 0 ? 0 : other(source); // account 0 is the hot one
        amountCents = amount();
        keyNumber = nextKey++;
        op = Op.TRANSFER;
    }

    private void keyed(Op depositOrWithdraw) {
        source = own();
        amountCents = amount();
        keyNumber = nextKey++;
        op = depositOrWithdraw;
    }

    private void balance() {
        source = own();
        op = Op.BALANCE;
    }

    /** The index of an account of this connection's user, uniformly. */
    private int own() {
        return accounts.owned(user, random.nextInt(accounts.ownedBy(user)));
    }

    /** The index of any account but {@code from}, uniformly. */
    private int other(int from) {
        while (true) { // at least two accounts (checked by the command): ends with probability 1, quickly
            int to = random.nextInt(accounts.count());
            if (to != from) {
                return to;
            }
        }
    }

    private long amount() {
        return 1L + random.nextInt(MAX_AMOUNT_CENTS);
    }
}
