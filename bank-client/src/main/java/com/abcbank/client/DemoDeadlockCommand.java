package com.abcbank.client;

import com.abcbank.lab.DeadlockLab;
import com.abcbank.ledger.Money;
import com.abcbank.protocol.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code client demo deadlock}: locks in argument order deadlock; locks in one global order finish. */
@Command(
        name = "deadlock",
        description = {
            "Two threads make opposite transfers (account 1 to 2: 100.00, account 2 to 1: 50.00) on laboratory"
                    + " accounts, each locking its source first; a latch makes both hold their first lock before"
                    + " asking for the second. The JVM's ThreadMXBean finds the deadlock (polled every 10 ms, up to"
                    + " 2 s); the client shows which thread holds which lock and waits for which, abandons both"
                    + " (interrupted; they move nothing), then runs the same transfers locking the lower account id"
                    + " first, which finishes.",
            "--json prints one JSON object: detected, detected_after_ms, stuck (thread, holds, waits_for, owner,"
                    + " lock_name), abandoned, balances_after_abandon_cents, ordered_completed, ordered_ms,"
                    + " total_before_cents, total_after_cents, balances_cents."
        })
final class DemoDeadlockCommand implements Callable<Integer> {
    @ParentCommand
    DemoCommand demo;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        demo.refuseUser(spec);
        DeadlockLab.Report report = DeadlockLab.run();
        PrintWriter out = spec.commandLine().getOut();
        if (demo.json()) {
            out.println(json(report));
        } else {
            printText(out, report);
        }
        if (!report.detected() || !report.abandoned() || !report.orderedCompleted()) {
            spec.commandLine().getErr().println("error: the demonstration did not run as designed (see above)");
            return 1;
        }
        return ExitCodes.OK;
    }

    static void printText(PrintWriter out, DeadlockLab.Report report) {
        out.println("deadlock: thread lab-transfer-1-to-2 moves 100.00 from account 1 to 2 and lab-transfer-2-to-1"
                + " moves 50.00 from account 2 to 1, each locking its source account first");
        if (!report.detected()) {
            out.println("detected: no, not within " + DeadlockLab.BOUND_MS + " ms");
        } else {
            out.println("detected: yes, by ThreadMXBean.findDeadlockedThreads after " + report.detectedAfterMs()
                    + " ms (polled every 10 ms, up to " + DeadlockLab.BOUND_MS + " ms)");
            TablePrinter table = new TablePrinter(
                    TablePrinter.left("thread"),
                    TablePrinter.left("holds"),
                    TablePrinter.left("waits for"),
                    TablePrinter.left("owned by"),
                    TablePrinter.left("lock (as the JVM names it)"));
            for (DeadlockLab.Stuck stuck : report.stuck()) {
                table.row(
                        stuck.thread(),
                        String.join(", ", stuck.holds()),
                        stuck.waitsFor(),
                        stuck.owner(),
                        stuck.lockName());
            }
            table.print(out);
        }
        out.println("abandoned: " + (report.abandoned() ? "both threads interrupted and ended" : "a thread did not end")
                + "; balances " + money(report.balancesAfterAbandonCents()) + " (nothing moved)");
        out.println("ordered (lower account id locked first): "
                + (report.orderedCompleted() ? "both transfers completed" : "NOT completed") + " in "
                + report.orderedMs() + " ms; balances " + money(report.balancesCents()) + "; total "
                + Money.format(report.totalBeforeCents()) + " before, " + Money.format(report.totalAfterCents())
                + " after");
    }

    private static String money(List<Long> balancesCents) {
        return balancesCents.stream().map(Money::format).collect(Collectors.joining(" and "));
    }

    static String json(DeadlockLab.Report report) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("detected", report.detected());
        figures.put("detected_after_ms", report.detectedAfterMs());
        List<Map<String, Object>> stuck = new ArrayList<>();
        for (DeadlockLab.Stuck s : report.stuck()) {
            Map<String, Object> thread = new LinkedHashMap<>();
            thread.put("thread", s.thread());
            thread.put("holds", s.holds());
            thread.put("waits_for", s.waitsFor());
            thread.put("owner", s.owner());
            thread.put("lock_name", s.lockName());
            stuck.add(thread);
        }
        figures.put("stuck", stuck);
        figures.put("abandoned", report.abandoned());
        figures.put("balances_after_abandon_cents", report.balancesAfterAbandonCents());
        figures.put("ordered_completed", report.orderedCompleted());
        figures.put("ordered_ms", report.orderedMs());
        figures.put("total_before_cents", report.totalBeforeCents());
        figures.put("total_after_cents", report.totalAfterCents());
        figures.put("balances_cents", report.balancesCents());
        return Json.tree(figures).toString();
    }
}
