package com.abcbank.ledger;

import java.util.Locale;
import java.util.Optional;

/** The ledger's refusals that more than one place gives, each worded once. */
final class Refusals {
    private Refusals() {}

    static <T> Outcome<T> unknown(String number) {
        return Outcome.fail(ErrorCode.UNKNOWN_ACCOUNT, "no account " + number);
    }

    static <T> Outcome<T> duplicate(String number) {
        return Outcome.fail(ErrorCode.DUPLICATE_ACCOUNT, "account " + number + " already exists");
    }

    static <T> Outcome<T> notYours(String number) {
        return Outcome.fail(ErrorCode.FORBIDDEN, "account " + number + " is not yours");
    }

    static <T> Outcome<T> wrongKind(Account account, String rule) {
        return Outcome.fail(
                ErrorCode.WRONG_ACCOUNT_KIND,
                "account " + account.number + " is a " + account.kind.name().toLowerCase(Locale.ROOT) + " account: "
                        + rule);
    }

    static <T> Outcome<T> overflow(Account account) {
        return Outcome.fail(ErrorCode.BALANCE_OVERFLOW, "account " + account.number + " cannot hold that much");
    }

    static <T> Outcome<T> auditorOnly(String op) {
        return Outcome.fail(ErrorCode.FORBIDDEN, op + " is for the auditor only");
    }

    /** Why {@code caller} may not move {@code amountCents} at all: the auditor moves none, and amounts have limits. */
    static <T> Optional<Outcome<T>> moneyMovement(Caller caller, long amountCents) {
        if (caller.isAuditor()) {
            return Optional.of(Outcome.fail(ErrorCode.FORBIDDEN, "the auditor moves no money"));
        }
        return Money.problemWith(amountCents).map(problem -> Outcome.fail(ErrorCode.INVALID_AMOUNT, problem));
    }

    /** Why a page of {@code limit} entries after {@code afterSeq} may not be read, or empty if it may. */
    static Optional<String> pageProblem(long afterSeq, int limit) {
        if (afterSeq < 0) {
            return Optional.of("cursor must not be negative, got " + afterSeq);
        }
        if (limit < 1 || limit > TransactionQuery.MAX_LIMIT) {
            return Optional.of("page limit must be 1.." + TransactionQuery.MAX_LIMIT + ", got " + limit);
        }
        return Optional.empty();
    }
}
