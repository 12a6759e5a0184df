package com.abcbank.client;

import static com.abcbank.client.TablePrinter.left;
import static com.abcbank.client.TablePrinter.right;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;

@Command(name = "show_accountholders", description = "Auditor: every customer and their accounts.")
final class ShowAccountholdersCommand extends OperationCommand<Result.Holders> {
    ShowAccountholdersCommand() {
        super(Result.Holders.class);
    }

    @Override
    public Request request() {
        return new Request.ShowAccountholders();
    }

    @Override
    public void print(PrintWriter out, List<Result.Holders> results) {
        Result.Holders holders = results.get(0);
        TablePrinter table = new TablePrinter(
                left("USER"), left("ACCOUNT"), left("KIND"), left("OPENED"), right("BALANCE"), right("OUTSTANDING"));
        for (Result.Holder holder : holders.holders()) {
            if (holder.accounts().isEmpty()) {
                table.row(holder.user(), "", "", "", "", ""); // enrolled, no account yet: still a customer
            }
            for (Result.Account a : holder.accounts()) {
                table.row(
                        holder.user(),
                        a.account(),
                        Formats.word(a.kind()),
                        Formats.time(a.created()),
                        Formats.money(a.balance()),
                        a.outstanding() == null ? "" : Formats.money(a.outstanding()));
            }
        }
        table.print(out);
    }
}
