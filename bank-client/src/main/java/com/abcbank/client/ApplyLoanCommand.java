package com.abcbank.client;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
        name = "apply_loan",
        description = "Borrow: the bank opens a loan account and pays the principal into your checking account.")
final class ApplyLoanCommand extends MoneyCommand {
    @Parameters(index = "0", paramLabel = "ACCOUNT", description = "Your checking account that receives the money.")
    String account;

    @Parameters(
            index = "1",
            paramLabel = "AMOUNT",
            converter = CentsConverter.class,
            description = "The amount to borrow. " + CentsConverter.HELP)
    long amountCents;

    @Override
    public Request request() {
        return new Request.ApplyLoan(account, amountCents, key());
    }

    @Override
    public void print(PrintWriter out, List<Result.Tx> results) {
        Result.Tx tx = results.get(0);
        out.println("Loan " + tx.loan() + " of " + Formats.money(tx.amount()) + " paid into " + tx.account()
                + ": balance " + Formats.money(tx.balance()) + ", outstanding " + Formats.money(tx.outstanding())
                + " (tx " + tx.tx() + ")");
    }
}
