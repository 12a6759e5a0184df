package com.abcbank.client;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "balance", description = "Show an account's balance (yours, or any as the auditor).")
final class BalanceCommand extends OperationCommand<Result.Account> {
    BalanceCommand() {
        super(Result.Account.class);
    }

    @Parameters(
            index = "0",
            paramLabel = "ACCOUNT",
            description = "A checking account such as 1001, or a loan account such as L100001.")
    String account;

    @Override
    public Request request() {
        return new Request.Balance(account);
    }

    @Override
    public void print(PrintWriter out, List<Result.Account> results) {
        Result.Account a = results.get(0);
        String outstanding = a.outstanding() == null ? "" : ", outstanding " + Formats.money(a.outstanding());
        out.println(a.account() + " (" + Formats.word(a.kind()) + ", " + a.owner() + "): balance "
                + Formats.money(a.balance()) + outstanding);
    }
}
