package com.abcbank.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which codes are the bank saying no, said once on {@link ErrorCode}; a fixed table, so a change is deliberate. */
class ErrorCodeTest {
    @Test
    void theLedgersRefusalsAreExactlyTheCodesTheLedgerReturns() {
        Set<ErrorCode> ledger = EnumSet.of(
                ErrorCode.INVALID_AMOUNT,
                ErrorCode.INVALID_ACCOUNT_NUMBER,
                ErrorCode.UNKNOWN_ACCOUNT,
                ErrorCode.FORBIDDEN,
                ErrorCode.WRONG_ACCOUNT_KIND,
                ErrorCode.SAME_ACCOUNT,
                ErrorCode.INSUFFICIENT_FUNDS,
                ErrorCode.LOAN_OVERPAYMENT,
                ErrorCode.DUPLICATE_ACCOUNT,
                ErrorCode.LOAN_LIMIT_EXCEEDED,
                ErrorCode.BALANCE_OVERFLOW,
                ErrorCode.INVALID_ARGUMENT,
                ErrorCode.KEY_REUSED);
        for (ErrorCode code : ErrorCode.values()) {
            assertEquals(ledger.contains(code), code.isLedgerRefusal(), code.name());
        }
    }
}
