package com.abcbank.client;

/**
 * The bench's users and accounts, by index: who owns what, and the names and numbers the bank sees.
 *
 * <p>Account {@code i} belongs to user {@code i % users}; connection {@code c} logs in as user {@code c % users}.
 * Names and numbers carry the run's random {@code tag}, so a second run against the same bank opens new accounts
 * for new users instead of colliding with the first run's. Immutable.
 *
 * @param tag   five digits, 10000 to 99999: the first digits of every account number
 * @param users how many users own the accounts, 1 to {@code count}
 * @param count how many accounts, at most {@link #MAX_ACCOUNTS}
 */
record BenchAccounts(int tag, int users, int count) {
    /** Seven digits after the five of the tag make a twelve-digit number, the longest the bank takes. */
    static final int MAX_ACCOUNTS = 1_000_000;

    /** One user per this many accounts (but never more users than connections: each user needs one). */
    static final int ACCOUNTS_PER_USER = 50;

    BenchAccounts {
        if (tag < 10_000 || tag > 99_999 || count < 1 || count > MAX_ACCOUNTS || users < 1 || users > count) {
            throw new IllegalArgumentException("bad bench accounts: " + tag + ", " + users + ", " + count);
        }
    }

    /** The users for {@code count} accounts and {@code connections} connections: each user has a connection. */
    static BenchAccounts of(int tag, int count, int connections) {
        int users = Math.max(1, Math.min(connections, (count + ACCOUNTS_PER_USER - 1) / ACCOUNTS_PER_USER));
        return new BenchAccounts(tag, users, count);
    }

    String number(int index) {
        return Long.toString(numeric(index));
    }

    /** Account {@code index}'s number as a whole number: the tag, then the index in seven digits. */
    long numeric(int index) {
        return tag * 10_000_000L + index;
    }

    String user(int user) {
        return "bench-" + tag + "-" + user;
    }

    /** The user connection {@code connection} logs in as. */
    int userOf(int connection) {
        return connection % users;
    }

    /** How many accounts {@code user} owns: at least 1, since {@code users <= count}. */
    int ownedBy(int user) {
        return (count - user + users - 1) / users;
    }

    /** The index of the {@code nth} account of {@code user}. */
    int owned(int user, int nth) {
        return user + nth * users;
    }
}
