package com.abcbank.client;

import static com.abcbank.client.TablePrinter.left;
import static com.abcbank.client.TablePrinter.right;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "history", description = "Show an account's statement, oldest first, a page at a time.")
final class HistoryCommand extends OperationCommand<Result.History> {
    HistoryCommand() {
        super(Result.History.class);
    }

    @Parameters(
            index = "0",
            paramLabel = "ACCOUNT",
            description = "A checking account such as 1001, or a loan account such as L100001.")
    String account;

    @Mixin
    PageOptions page;

    @Override
    public Request request() {
        return new Request.History(account, page.after, page.limit);
    }

    @Override
    public Request nextPage(Result.History result) {
        Long next = page.follow(result.next());
        return next == null ? null : new Request.History(account, next, page.limit);
    }

    @Override
    public void print(PrintWriter out, List<Result.History> results) {
        TablePrinter table = new TablePrinter(
                right("TX"),
                left("TIME"),
                left("TYPE"),
                left("BY"),
                right("AMOUNT"),
                left("COUNTERPARTY"),
                right("BALANCE"));
        Long next = null;
        for (Result.History history : results) {
            for (Result.Entry e : history.entries()) {
                table.row(
                        Long.toString(e.tx()),
                        Formats.time(e.time()),
                        Formats.word(e.type()),
                        e.user(),
                        Formats.money(e.amount()),
                        e.counterparty(),
                        Formats.money(e.balance()));
            }
            next = history.next();
        }
        table.print(out);
        if (next != null) {
            out.println("(more: --after " + next + ", or --all)");
        }
    }
}
