package com.abcbank.client;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "deposit", description = "Pay cash into a checking account (anyone's).")
final class DepositCommand extends MoneyCommand {
    @Parameters(index = "0", paramLabel = "ACCOUNT", description = "The checking account to pay into.")
    String account;

    @Parameters(
            index = "1",
            paramLabel = "AMOUNT",
            converter = CentsConverter.class,
            description = "The amount to pay in. " + CentsConverter.HELP)
    long amountCents;

    @Override
    public Request request() {
        return new Request.Deposit(account, amountCents, key());
    }

    @Override
    public void print(PrintWriter out, List<Result.Tx> results) {
        Result.Tx tx = results.get(0);
        out.println("Deposited " + Formats.money(tx.amount()) + " to " + tx.account() + ": balance "
                + Formats.money(tx.balance()) + " (tx " + tx.tx() + ")");
    }
}
