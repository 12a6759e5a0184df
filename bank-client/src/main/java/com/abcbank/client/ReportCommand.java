package com.abcbank.client;

import static com.abcbank.client.TablePrinter.left;
import static com.abcbank.client.TablePrinter.right;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;

@Command(name = "report", description = "Auditor: the books at one moment: totals per kind of account, and whether they sum to zero.")
final class ReportCommand extends OperationCommand {
    @Override
    public Request request() {
        return new Request.Report();
    }

    @Override
    public void print(PrintWriter out, List<JsonNode> results) {
        Result.Report report = Operation.as(results.get(0), Result.Report.class);
        out.println((report.balanced() ? "Books balance" : "BOOKS DO NOT BALANCE") + ": all balances sum to "
                + Operation.money(report.sum()) + " as of tx " + report.asOf() + " (" + report.transactions()
                + " transactions, " + report.customers() + " customers)");
        Set<String> kinds = new LinkedHashSet<>(List.of("checking", "loan", "internal"));
        kinds.addAll(report.totals().keySet());
        kinds.addAll(report.accounts().keySet());
        TablePrinter table = new TablePrinter(left("KIND"), right("ACCOUNTS"), right("TOTAL"));
        for (String kind : kinds) {
            Integer count = report.accounts().get(kind);
            table.row(kind, count == null ? "0" : count.toString(), Operation.money(report.totals().getOrDefault(kind, 0L)));
        }
        table.print(out);
        out.println("Outstanding loans: " + Operation.money(report.outstanding()));
        if (report.internal() != null && !report.internal().isEmpty()) {
            out.println();
            TablePrinter internal = new TablePrinter(left("INTERNAL"), right("BALANCE"));
            report.internal().forEach(a -> internal.row(a.account(), Operation.money(a.balance())));
            internal.print(out);
        }
    }
}
