package com.abcbank.client;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "withdraw", description = "Take cash out of your checking account.")
final class WithdrawCommand extends MoneyCommand {
    @Parameters(index = "0", paramLabel = "ACCOUNT", description = "Your checking account.")
    String account;

    @Parameters(
            index = "1",
            paramLabel = "AMOUNT",
            converter = CentsConverter.class,
            description = "The amount to take out. " + CentsConverter.HELP)
    long amountCents;

    @Override
    public Request request() {
        return new Request.Withdraw(account, amountCents, key());
    }

    @Override
    public void print(PrintWriter out, List<Result.Tx> results) {
        Result.Tx tx = results.get(0);
        out.println("Withdrew " + Formats.money(tx.amount()) + " from " + tx.account() + ": balance "
                + Formats.money(tx.balance()) + " (tx " + tx.tx() + ")");
    }
}
