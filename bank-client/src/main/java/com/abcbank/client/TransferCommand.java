package com.abcbank.client;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "transfer", description = "Move money from your checking account to another checking account.")
final class TransferCommand extends MoneyCommand {
    @Parameters(index = "0", paramLabel = "FROM", description = "Your checking account, which pays.")
    String from;

    @Parameters(index = "1", paramLabel = "TO", description = "The checking account that receives (anyone's).")
    String to;

    @Parameters(
            index = "2",
            paramLabel = "AMOUNT",
            converter = CentsConverter.class,
            description = "The amount to move. " + CentsConverter.HELP)
    long amountCents;

    @Override
    public Request request() {
        return new Request.Transfer(from, to, amountCents, key());
    }

    @Override
    public void print(PrintWriter out, List<Result.Tx> results) {
        Result.Tx tx = results.get(0);
        out.println("Transferred " + Formats.money(tx.amount()) + " from " + tx.from() + " to " + tx.to() + ": balance "
                + Formats.money(tx.fromBalance()) + " (tx " + tx.tx() + ")");
    }
}
