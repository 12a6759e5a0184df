package com.abcbank.client;

import static com.abcbank.client.TablePrinter.left;
import static com.abcbank.client.TablePrinter.right;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "show_accountholders", description = "Auditor: every customer and their accounts.")
final class ShowAccountholdersCommand implements Callable<Integer>, Operation {
    @ParentCommand
    BankCli cli;
    @Spec
    CommandSpec spec;

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
                table.row(holder.user(), a.account(), Operation.word(a.kind()), a.created(), Operation.money(a.balance()),
                        a.outstanding() == null ? "" : Operation.money(a.outstanding()));
            }
        }
        table.print(out);
    }

    @Override
    public Integer call() {
        return cli.run(this, spec);
    }
}
