package com.abcbank.client;

import static com.abcbank.client.TablePrinter.left;
import static com.abcbank.client.TablePrinter.right;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

@Command(
        name = "show_security_events",
        description = {
            "Auditor: the audit trail of security events, oldest first, a page at a time:",
            "failed and throttled logins, lockouts, operations refused, password changes.",
            "TIMES > 1: a flood, counted (the bank records at most ~100 events a second)."
        })
final class ShowSecurityEventsCommand extends OperationCommand<Result.SecurityEvents> {
    /** The kinds the server knows, for --help and completion; the server checks the value. */
    enum Kind {
        LOGIN_FAILED,
        LOGIN_THROTTLED,
        LOCKOUT,
        OPERATION_DENIED,
        PASSWORD_CHANGED
    }

    ShowSecurityEventsCommand() {
        super(Result.SecurityEvents.class);
    }

    @Mixin
    PageOptions page;

    @Option(
            names = "--kind",
            paramLabel = "KIND",
            converter = KindConverter.class,
            completionCandidates = KindCandidates.class,
            description = "Only events of KIND (any case): ${COMPLETION-CANDIDATES}.")
    Kind kind;

    /** Any case, as the table prints kinds in lower case. */
    static final class KindConverter implements ITypeConverter<Kind> {
        @Override
        public Kind convert(String value) {
            for (Kind kind : Kind.values()) {
                if (kind.name().equalsIgnoreCase(value)) {
                    return kind;
                }
            }
            throw new TypeConversionException(
                    "not a kind of event: '" + value + "' (one of " + String.join(", ", new KindCandidates()) + ")");
        }
    }

    static final class KindCandidates extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        KindCandidates() {
            for (Kind kind : Kind.values()) {
                add(kind.name());
            }
        }
    }

    @Option(names = "--user", paramLabel = "USER", description = "Only events for the user name USER (any case).")
    String user;

    @Option(
            names = "--from",
            paramLabel = "INSTANT",
            converter = ShowHistoryCommand.InstantConverter.class,
            description = "From this time on, inclusive: an ISO-8601 instant such as 2026-11-23T10:00:00Z.")
    Instant from;

    @Option(
            names = "--to",
            paramLabel = "INSTANT",
            converter = ShowHistoryCommand.InstantConverter.class,
            description = "Before this time, exclusive.")
    Instant to;

    @Override
    public Request request() {
        return page(page.after);
    }

    private Request page(Long after) {
        return new Request.ShowSecurityEvents(
                after,
                page.limit,
                kind == null ? null : kind.name(),
                user,
                from == null ? null : from.toString(),
                to == null ? null : to.toString());
    }

    @Override
    public Request nextPage(Result.SecurityEvents result) {
        Long next = page.follow(result.next());
        return next == null ? null : page(next);
    }

    @Override
    public void print(PrintWriter out, List<Result.SecurityEvents> results) {
        TablePrinter table = new TablePrinter(
                right("EVENT"),
                left("TIME"),
                left("KIND"),
                left("USER"),
                left("ADDRESS"),
                right("TIMES"),
                left("DETAIL"));
        Long next = null;
        for (Result.SecurityEvents events : results) {
            for (Result.SecurityEvent e : events.entries()) {
                table.row(
                        Long.toString(e.event()),
                        Formats.time(e.time()),
                        Formats.word(e.kind()),
                        e.user(),
                        e.address(),
                        Integer.toString(e.repeated()),
                        e.detail());
            }
            next = events.next();
        }
        table.print(out);
        if (next != null) {
            out.println("(more: --after " + next + ", or --all)");
        }
    }
}
