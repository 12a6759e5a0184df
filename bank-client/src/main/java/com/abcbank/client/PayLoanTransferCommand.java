package com.abcbank.client;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "pay_loan_transfer", description = "Pay down a loan from your checking account.")
final class PayLoanTransferCommand extends MoneyCommand {
    @Parameters(index = "0", paramLabel = "FROM", description = "Your checking account.")
    String from;

    @Parameters(index = "1", paramLabel = "LOAN", description = "The loan account, such as L100001.")
    String loan;

    @Parameters(
            index = "2",
            paramLabel = "AMOUNT",
            converter = CentsConverter.class,
            description = "The amount to pay, at most what is outstanding. " + CentsConverter.HELP)
    long amountCents;

    @Override
    public Request request() {
        return new Request.PayLoanTransfer(from, loan, amountCents, key());
    }

    @Override
    public void print(PrintWriter out, List<Result.Tx> results) {
        Result.Tx tx = results.get(0);
        // docs/protocol.md names the paying account "account" (with "balance"); Result.Tx also allows "from".
        String from = tx.account() != null ? tx.account() : tx.from();
        Long balance = tx.account() != null ? tx.balance() : tx.fromBalance();
        out.println("Paid " + Formats.money(tx.amount()) + " from " + from + " on " + tx.loan()
                + ": balance " + Formats.money(balance) + ", outstanding "
                + Formats.money(tx.outstanding()) + " (tx " + tx.tx() + ")");
    }
}
