package com.abcbank.client;

import com.abcbank.protocol.Reply;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One well-behaved customer of the soak, on its own connection: two checking accounts and a loan, then operations
 * until the soak ends, at a steady rate ({@code --rate} a second): deposits, withdrawals (one in four more than the account holds: refused), transfers to the
 * next customer (opposite transfers between neighbours, at the same time), loan payments, balances and history
 * pages. Money requests carry an idempotency key, as the client sends them. A broken connection is counted and
 * opened again; the customer goes on.
 */
final class SoakCustomer {
    final int index;
    final String user;
    final String password;
    private final Soak soak;
    private final int customers;
    private final Random random;
    private long keys;
    /** The loan's number, as the bank gave it. */
    private String loan;

    SoakCustomer(Soak soak, int index, int customers) {
        this.soak = soak;
        this.index = index;
        this.customers = customers;
        this.user = "soak" + index;
        this.password = "soak-password-" + index;
        this.random = new Random(index); // seeded: the same workload each run
    }

    /** Account {@code which} (1 or 2) of customer {@code i}: 7{i}00{which}, such as 7300 1. */
    static String account(int i, int which) {
        return "7" + (100 + i) + "00" + which;
    }

    String account(int which) {
        return account(index, which);
    }

    /** Enrols this customer and opens its accounts and loan. */
    void openAccounts() {
        try (BankConnection bank = soak.open()) {
            String refused = Soak.register(bank, user, password);
            if (refused != null) {
                throw new IllegalStateException("cannot enrol " + user + ": " + refused);
            }
            expectOk(bank.call(new Request.CreateAccount(account(1), 1_000_000L, key())));
            expectOk(bank.call(new Request.CreateAccount(account(2), 10_000L, key())));
            Reply loanReply = bank.call(new Request.ApplyLoan(account(1), 500_000, key()));
            expectOk(loanReply);
            loan = loanReply.resultAs(Result.Tx.class).loan();
        }
    }

    private static void expectOk(Reply reply) {
        if (!reply.ok()) {
            throw new IllegalStateException("set-up refused: " + reply.error());
        }
    }

    private String key() {
        return "soak-" + index + "-" + keys++;
    }

    void run() {
        while (soak.running()) {
            try (BankConnection bank = soak.open()) {
                String refused = Soak.logIn(bank, user, password);
                if (refused != null) {
                    soak.tally.fault("customer login refused: " + refused);
                    return;
                }
                long next = System.nanoTime();
                while (soak.running()) {
                    next = pace(next);
                    Reply reply = bank.call(next());
                    soak.tally.reply(reply.ok() ? null : reply.error().code().name());
                }
            } catch (ClientException e) {
                soak.tally.fault("customer connection lost");
                if (!soak.serverAlive()) {
                    return;
                }
            }
        }
    }

    /**
     * Paces this customer to {@link Soak#rate} requests a second: waits until {@code due}, and returns when the next
     * is due. Behind by more than a second (a slow server), it starts counting again from now instead of bursting.
     */
    private long pace(long due) {
        long now = System.nanoTime();
        if (due > now) {
            try {
                TimeUnit.NANOSECONDS.sleep(due - now);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (now - due > TimeUnit.SECONDS.toNanos(1)) {
            due = now;
        }
        return due + TimeUnit.SECONDS.toNanos(1) / soak.rate;
    }

    private Request next() {
        String mine = account(1 + random.nextInt(2));
        String theirs = account((index + 1) % customers, 1 + random.nextInt(2));
        long cents = 1L + random.nextInt(5_000);
        return switch (random.nextInt(10)) {
            case 0 -> new Request.Deposit(mine, cents, key());
            case 1 -> new Request.Withdraw(mine, random.nextInt(4) == 0 ? 100_000_000 : cents, key());
            case 2, 3 -> new Request.Transfer(mine, theirs, cents, key());
            case 4 -> new Request.Transfer(account(2), account(1), cents, key());
            case 5 -> new Request.PayLoanTransfer(account(1), loan, 1L + random.nextInt(200), key());
            case 6, 7 -> new Request.Balance(mine);
            default -> new Request.History(mine, null, 5);
        };
    }
}
