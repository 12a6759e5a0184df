package com.abcbank.protocol;

import com.abcbank.journal.SecurityEvent;
import com.abcbank.journal.SecurityEventPage;
import com.abcbank.journal.Verifier;
import com.abcbank.ledger.AccountKind;
import com.abcbank.ledger.AccountView;
import com.abcbank.ledger.HistoryEntry;
import com.abcbank.ledger.Holder;
import com.abcbank.ledger.Page;
import com.abcbank.ledger.Posting;
import com.abcbank.ledger.Report;
import com.abcbank.ledger.Transaction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ledger's answers as wire results: one pure function per {@link Result} record, from the ledger's (and the
 * verifier's) types. Every transport uses these, so the TCP server and a second one (the console's HTTP) show
 * the same thing the same way. No I/O, no state, no Jackson: the records are written by {@link Json}.
 */
public final class Results {
    private Results() {}

    /** A committed transaction as the result of the op that made it: who moved what, and the balances after. */
    public static Result.Tx tx(Transaction tx) {
        String account = null;
        Long balance = null;
        String from = null;
        Long fromBalance = null;
        String to = null;
        Long toBalance = null;
        String loan = null;
        Long outstanding = null;
        Posting debit = tx.debit();
        Posting credit = tx.credit();
        switch (tx.type()) {
            case OPEN_ACCOUNT -> {
                account = tx.opened();
                balance = credit == null ? 0L : credit.balanceAfterCents();
            }
            case DEPOSIT -> {
                account = credit.account();
                balance = credit.balanceAfterCents();
            }
            case WITHDRAW -> {
                account = debit.account();
                balance = debit.balanceAfterCents();
            }
            case TRANSFER -> {
                from = debit.account();
                fromBalance = debit.balanceAfterCents();
                to = credit.account();
                toBalance = credit.balanceAfterCents();
            }
            case LOAN -> {
                loan = debit.account();
                outstanding = -debit.balanceAfterCents();
                account = credit.account();
                balance = credit.balanceAfterCents();
            }
            case LOAN_PAYMENT_CHECK -> {
                loan = credit.account();
                outstanding = -credit.balanceAfterCents();
            }
            case LOAN_PAYMENT_TRANSFER -> {
                account = debit.account();
                balance = debit.balanceAfterCents();
                loan = credit.account();
                outstanding = -credit.balanceAfterCents();
            }
        }
        return new Result.Tx(
                tx.seq(),
                tx.time().toString(),
                tx.type().name(),
                tx.amountCents(),
                account,
                balance,
                from,
                fromBalance,
                to,
                toBalance,
                loan,
                outstanding);
    }

    /** An account as {@code balance} shows it; {@code outstanding} only for a loan. */
    public static Result.Account account(AccountView view) {
        return new Result.Account(
                view.number(),
                view.kind().name(),
                view.owner(),
                view.created() == null ? null : view.created().toString(),
                view.balanceCents(),
                view.kind() == AccountKind.LOAN ? view.outstandingCents() : null);
    }

    /** One page of an account's statement; {@code next} is the cursor of the following page, if any. */
    public static Result.History history(String account, Page<HistoryEntry> page) {
        List<Result.Entry> entries = new ArrayList<>(page.items().size());
        for (HistoryEntry e : page.items()) {
            entries.add(new Result.Entry(
                    e.seq(),
                    e.time().toString(),
                    e.type().name(),
                    e.user(),
                    e.amountCents(),
                    e.counterparty(),
                    e.balanceAfterCents()));
        }
        return new Result.History(account, entries, page.next());
    }

    /** Every customer with their accounts. */
    public static Result.Holders holders(List<Holder> holders) {
        List<Result.Holder> result = new ArrayList<>(holders.size());
        for (Holder holder : holders) {
            result.add(new Result.Holder(
                    holder.user(),
                    holder.accounts().stream().map(Results::account).toList()));
        }
        return new Result.Holders(result);
    }

    /** One page of the journal as the auditor sees it: every posting, and the key. */
    public static Result.Transactions transactions(Page<Transaction> page) {
        List<Result.Transaction> entries = new ArrayList<>(page.items().size());
        for (Transaction tx : page.items()) {
            entries.add(transaction(tx));
        }
        return new Result.Transactions(entries, page.next());
    }

    /** One journal transaction as the auditor sees it (show_history, the console's durable feed). */
    public static Result.Transaction transaction(Transaction tx) {
        return new Result.Transaction(
                tx.seq(),
                tx.time().toString(),
                tx.type().name(),
                tx.user(),
                tx.opened(),
                tx.postings().stream()
                        .map(p -> new Result.Posting(p.account(), p.amountCents(), p.balanceAfterCents()))
                        .toList(),
                tx.key());
    }

    /** The bank's totals; loans count as what is owed (positive). */
    public static Result.Report report(Report report) {
        Map<String, Long> totals = new LinkedHashMap<>();
        totals.put("checking", report.checkingTotalCents());
        totals.put("loan", -report.loanOutstandingCents());
        totals.put("internal", report.internalTotalCents());
        Map<String, Integer> accounts = new LinkedHashMap<>();
        accounts.put("checking", report.checkingAccounts());
        accounts.put("loan", report.loanAccounts());
        accounts.put("internal", report.internalAccounts().size());
        return new Result.Report(
                report.sumCents(),
                report.balanced(),
                report.transactions(),
                report.asOfSeq(),
                report.customers(),
                totals,
                accounts,
                report.loanOutstandingCents(),
                report.internalAccounts().stream().map(Results::account).toList());
    }

    /** What verification found, with the chain head it reached; {@code replicas} are a cluster's to fill. */
    public static Result.Verify verify(Verifier.Report report) {
        return new Result.Verify(
                report.ok(),
                report.asOfSeq(),
                report.transactions(),
                report.accounts(),
                report.problems(),
                report.millis(),
                report.events(),
                report.head() == null ? null : report.head().hash(),
                null);
    }

    /** A page of the audit trail. */
    public static Result.SecurityEvents securityEvents(SecurityEventPage page) {
        List<Result.SecurityEvent> entries = new ArrayList<>(page.entries().size());
        for (SecurityEvent event : page.entries()) {
            entries.add(new Result.SecurityEvent(
                    event.number(),
                    event.time().toString(),
                    event.kind().name(),
                    event.user(),
                    event.address(),
                    event.detail(),
                    event.repeated()));
        }
        return new Result.SecurityEvents(entries, page.next());
    }
}
