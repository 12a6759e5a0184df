package com.abcbank.client;

import static com.abcbank.client.TablePrinter.left;
import static com.abcbank.client.TablePrinter.right;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;

@Command(
        name = "report",
        description = "Auditor: the books at one moment: totals per kind of account, and whether they sum to zero.")
final class ReportCommand extends OperationCommand<Result.Report> {
    ReportCommand() {
        super(Result.Report.class);
    }

    @Override
    public Request request() {
        return new Request.Report();
    }

    @Override
    public void print(PrintWriter out, List<Result.Report> results) {
        Result.Report report = results.get(0);
        out.println((report.balanced() ? "Books balance" : "BOOKS DO NOT BALANCE") + ": all balances sum to "
                + Formats.money(report.sum()) + " as of tx " + report.asOf() + " (" + report.transactions()
                + " transactions, " + report.customers() + " customers)");
        Set<String> kinds = new LinkedHashSet<>(List.of("checking", "loan", "internal"));
        kinds.addAll(report.totals().keySet());
        kinds.addAll(report.accounts().keySet());
        TablePrinter table = new TablePrinter(left("KIND"), right("ACCOUNTS"), right("TOTAL"));
        for (String kind : kinds) {
            Integer count = report.accounts().get(kind);
            table.row(
                    kind,
                    count == null ? "0" : count.toString(),
                    Formats.money(report.totals().getOrDefault(kind, 0L)));
        }
        table.print(out);
        out.println("Outstanding loans: " + Formats.money(report.outstanding()));
        if (report.internal() != null && !report.internal().isEmpty()) {
            out.println();
            TablePrinter internal = new TablePrinter(left("INTERNAL"), right("BALANCE"));
            report.internal().forEach(a -> internal.row(a.account(), Formats.money(a.balance())));
            internal.print(out);
        }
    }
}
