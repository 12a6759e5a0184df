package com.abcbank.client;

import static com.abcbank.client.TablePrinter.left;
import static com.abcbank.client.TablePrinter.right;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

@Command(
        name = "show_history",
        description = {
            "Auditor: every transaction in the bank, oldest first, a page at a time.",
            "One row per posting: each transaction's postings sum to zero."
        })
final class ShowHistoryCommand extends OperationCommand<Result.Transactions> {
    ShowHistoryCommand() {
        super(Result.Transactions.class);
    }

    @Mixin
    PageOptions page;

    @Option(names = "--account", paramLabel = "ACCOUNT", description = "Only transactions that touch ACCOUNT.")
    String account;

    @Option(names = "--user", paramLabel = "USER", description = "Only transactions made by USER.")
    String user;

    @Option(
            names = "--from",
            paramLabel = "INSTANT",
            converter = InstantConverter.class,
            description = "From this time on, inclusive: an ISO-8601 instant such as 2026-11-23T10:00:00Z.")
    Instant from;

    @Option(
            names = "--to",
            paramLabel = "INSTANT",
            converter = InstantConverter.class,
            description = "Before this time, exclusive.")
    Instant to;

    @Override
    public Request request() {
        return page(page.after);
    }

    private Request page(Long after) {
        return new Request.ShowHistory(
                after,
                page.limit,
                account,
                user,
                from == null ? null : from.toString(),
                to == null ? null : to.toString());
    }

    @Override
    public Request nextPage(Result.Transactions result) {
        Long next = page.follow(result.next());
        return next == null ? null : page(next);
    }

    @Override
    public void print(PrintWriter out, List<Result.Transactions> results) {
        TablePrinter table = new TablePrinter(
                right("TX"),
                left("TIME"),
                left("TYPE"),
                left("BY"),
                left("ACCOUNT"),
                right("AMOUNT"),
                right("BALANCE"));
        Long next = null;
        for (Result.Transactions transactions : results) {
            for (Result.Transaction t : transactions.entries()) {
                String[] head = {Long.toString(t.tx()), Formats.time(t.time()), Formats.word(t.type()), t.user()};
                if (t.postings() == null || t.postings().isEmpty()) {
                    table.row(head[0], head[1], head[2], head[3], t.opened(), "", ""); // an account opened empty
                    continue;
                }
                for (Result.Posting p : t.postings()) {
                    table.row(
                            head[0],
                            head[1],
                            head[2],
                            head[3],
                            p.account(),
                            Formats.money(p.amount()),
                            Formats.money(p.balance()));
                    head = new String[] {"", "", "", ""}; // the transaction's columns once, on its first posting
                }
            }
            next = transactions.next();
        }
        table.print(out);
        if (next != null) {
            out.println("(more: --after " + next + ", or --all)");
        }
    }

    /** An ISO-8601 instant, checked here so that a typo is a usage error, not a server refusal. */
    static final class InstantConverter implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw new TypeConversionException(
                        "not an ISO-8601 instant: '" + value + "' (write it like 2026-11-23T10:00:00Z)");
            }
        }
    }
}
