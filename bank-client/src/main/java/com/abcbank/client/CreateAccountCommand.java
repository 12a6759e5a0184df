package com.abcbank.client;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
        name = "create_account",
        description = {
            "Open a checking account, with an optional opening deposit.",
            "A user with no password yet is registered first; the new password is saved in the credentials file."
        })
final class CreateAccountCommand extends MoneyCommand {
    @Parameters(index = "0", paramLabel = "ACCOUNT", description = "The new account's number: 4 to 12 digits.")
    String account;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "AMOUNT",
            converter = CentsConverter.OpeningDeposit.class,
            description = "Opening deposit, if any (0: none). " + CentsConverter.HELP)
    Long amountCents;

    @Override
    public Request request() {
        return new Request.CreateAccount(account, amountCents, key());
    }

    @Override
    public boolean enrols() {
        return true;
    }

    @Override
    public void print(PrintWriter out, List<Result.Tx> results) {
        Result.Tx tx = results.get(0);
        String deposit = tx.amount() > 0 ? " with " + Formats.money(tx.amount()) : "";
        out.println("Opened " + tx.account() + deposit + ": balance " + Formats.money(tx.balance()) + " (tx " + tx.tx()
                + ")");
    }
}
