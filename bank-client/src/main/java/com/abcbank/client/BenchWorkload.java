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
 * Not thread-safe: one per connection.
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

    private final BenchAccounts accounts;
    private final Mix mix;
    private final int hotPercent;
    private final int user;
    private final SplittableRandom random;
    /** Keys are {@code prefix + counter}: fresh within the run, and the run's users are new, so fresh for the bank. */
    private final String keyPrefix;

    private long nextKey;

    BenchWorkload(BenchAccounts accounts, Mix mix, int hotPercent, int connection, SplittableRandom random) {
        this.accounts = accounts;
        this.mix = mix;
        this.hotPercent = hotPercent;
        this.user = accounts.userOf(connection);
        this.random = random;
        this.keyPrefix = "bench-" + accounts.tag() + "-" + connection + "-";
    }

    /** The next request of this connection. */
    Request next() {
        return switch (mix) {
            case TRANSFER -> transfer();
            case DEPOSIT_WITHDRAW -> random.nextBoolean() ? deposit() : withdraw();
            case BALANCE -> new Request.Balance(own());
            case MIXED -> mixed(random.nextInt(100));
        };
    }

    private Request mixed(int percentile) {
        if (percentile < 50) {
            return transfer();
        }
        if (percentile < 65) {
            return deposit();
        }
        if (percentile < 80) {
            return withdraw();
        }
        return new Request.Balance(own());
    }

    private Request transfer() {
        String from = own();
        boolean hot = hotPercent > 0 && random.nextInt(100) < hotPercent;
        String hotAccount = accounts.number(0);
        String to = hot && !from.equals(hotAccount) ? hotAccount : other(from);
        return new Request.Transfer(from, to, amount(), key());
    }

    private Request deposit() {
        return new Request.Deposit(own(), amount(), key());
    }

    private Request withdraw() {
        return new Request.Withdraw(own(), amount(), key());
    }

    /** An account of this connection's user, uniformly. */
    private String own() {
        return accounts.number(accounts.owned(user, random.nextInt(accounts.ownedBy(user))));
    }

    /** Any account but {@code from}, uniformly. */
    private String other(String from) {
        while (true) { // at least two accounts (checked by the command): ends with probability 1, quickly
            String to = accounts.number(random.nextInt(accounts.count()));
            if (!to.equals(from)) {
                return to;
            }
        }
    }

    private long amount() {
        return 1L + random.nextInt(MAX_AMOUNT_CENTS);
    }

    private String key() {
        return keyPrefix + nextKey++;
    }
}
