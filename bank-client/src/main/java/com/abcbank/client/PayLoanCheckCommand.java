package com.abcbank.client;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "pay_loan_check", description = "Pay down a loan by check (anyone's loan).")
final class PayLoanCheckCommand extends MoneyCommand {
    @Parameters(index = "0", paramLabel = "LOAN", description = "The loan account, such as L100001.")
    String loan;

    @Parameters(
            index = "1",
            paramLabel = "AMOUNT",
            converter = CentsConverter.class,
            description = "The amount to pay, at most what is outstanding. " + CentsConverter.HELP)
    long amountCents;

    @Override
    public Request request() {
        return new Request.PayLoanCheck(loan, amountCents, key());
    }

    @Override
    public void print(PrintWriter out, List<Result.Tx> results) {
        Result.Tx tx = results.get(0);
        out.println("Paid " + Formats.money(tx.amount()) + " on " + tx.loan() + ": outstanding "
                + Formats.money(tx.outstanding()) + " (tx " + tx.tx() + ")");
    }
}
