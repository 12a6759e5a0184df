package com.abcbank.client;

import static com.abcbank.client.TablePrinter.left;
import static com.abcbank.client.TablePrinter.right;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;

@Command(name = "show_accountholders", description = "Auditor: every customer and their accounts.")
final class ShowAccountholdersCommand extends OperationCommand {
    @Override
    public Request request() {
        return new Request.ShowAccountholders();
    }

    @Override
    public void print(PrintWriter out, List<JsonNode> results) {
        Result.Holders holders = Operation.as(results.get(0), Result.Holders.class);
        TablePrinter table = new TablePrinter(left("USER"), left("ACCOUNT"), left("KIND"), left("OPENED"),
                right("BALANCE"), right("OUTSTANDING"));
        for (Result.Holder holder : holders.holders()) {
            if (holder.accounts().isEmpty()) {
                table.row(holder.user(), "", "", "", "", ""); // enrolled, no account yet: still a customer
            }
            for (Result.Account a : holder.accounts()) {
                table.row(holder.user(), a.account(), Operation.word(a.kind()), Operation.time(a.created()), Operation.money(a.balance()),
                        a.outstanding() == null ? "" : Operation.money(a.outstanding()));
            }
        }
        table.print(out);
    }
}
