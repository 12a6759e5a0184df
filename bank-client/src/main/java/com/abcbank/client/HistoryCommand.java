package com.abcbank.client;

import static com.abcbank.client.TablePrinter.left;
import static com.abcbank.client.TablePrinter.right;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "history", description = "Show an account's statement, oldest first, a page at a time.")
final class HistoryCommand extends OperationCommand {
    @Parameters(index = "0", paramLabel = "ACCOUNT",
            description = "A checking account such as 1001, or a loan account such as L100001.")
    String account;

    @Mixin
    PageOptions page;

    @Override
    public Request request() {
        return new Request.History(account, page.after, page.limit);
    }

    @Override
    public Request nextPage(JsonNode result) {
        Result.History history = Operation.as(result, Result.History.class);
        Long next = page.follow(history.next());
        return next == null ? null : new Request.History(account, next, page.limit);
    }

    @Override
    public void print(PrintWriter out, List<JsonNode> results) {
        TablePrinter table = new TablePrinter(right("TX"), left("TIME"), left("TYPE"), left("BY"), right("AMOUNT"),
                left("COUNTERPARTY"), right("BALANCE"));
        Long next = null;
        for (JsonNode result : results) {
            Result.History history = Operation.as(result, Result.History.class);
            for (Result.Entry e : history.entries()) {
                table.row(Long.toString(e.tx()), Operation.time(e.time()), Operation.word(e.type()), e.user(), Operation.money(e.amount()),
                        e.counterparty(), Operation.money(e.balance()));
            }
            next = history.next();
        }
        table.print(out);
        if (next != null) {
            out.println("(more: --after " + next + ", or --all)");
        }
    }
}
