package com.abcbank.client;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "withdraw", description = "Take cash out of your checking account.")
final class WithdrawCommand extends MoneyCommand {
    @Parameters(index = "0", paramLabel = "ACCOUNT", description = "Your checking account.")
    String account;

    @Parameters(index = "1", paramLabel = "AMOUNT", converter = CentsConverter.class,
            description = "The amount to take out. " + CentsConverter.HELP)
    long amountCents;

    @Override
    public Request request() {
        return new Request.Withdraw(account, amountCents, key());
    }

    @Override
    public void print(PrintWriter out, List<JsonNode> results) {
        Result.Tx tx = Operation.as(results.get(0), Result.Tx.class);
        out.println("Withdrew " + Operation.money(tx.amount()) + " from " + tx.account() + ": balance "
                + Operation.money(tx.balance()) + " (tx " + tx.tx() + ")");
    }
}
