package com.abcbank.server;

import com.abcbank.journal.DurableLog;
import com.abcbank.journal.NotReadyException;
import com.abcbank.journal.SecurityEvent;
import com.abcbank.journal.SecurityEventQuery;
import com.abcbank.ledger.Caller;
import com.abcbank.ledger.ErrorCode;
import com.abcbank.ledger.Outcome;
import com.abcbank.protocol.Request;
import com.abcbank.protocol.Results;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

/**
 * {@code show_security_events}: the auditor's page of the audit trail, checked and read from the {@link DurableLog}.
 * Refusals are worded like {@code show_history}'s; a customer gets {@code FORBIDDEN}, which is itself an event.
 */
final class SecurityEventsOp {
    private SecurityEventsOp() {}

    static Outcome<?> show(DurableLog log, Caller caller, Request.ShowSecurityEvents r) {
        if (!caller.isAuditor()) {
            return Outcome.fail(ErrorCode.FORBIDDEN, "show_security_events is for the auditor only");
        }
        long after = r.after() == null ? 0 : r.after();
        int limit = r.limit() == null ? SecurityEventQuery.DEFAULT_LIMIT : r.limit();
        if (after < 0) {
            return Outcome.fail(ErrorCode.INVALID_ARGUMENT, "after must be 0 or more");
        }
        if (limit < 1 || limit > SecurityEventQuery.MAX_LIMIT) {
            return Outcome.fail(
                    ErrorCode.INVALID_ARGUMENT, "limit must be between 1 and " + SecurityEventQuery.MAX_LIMIT);
        }
        SecurityEvent.Kind kind = null;
        if (r.kind() != null) {
            kind = Arrays.stream(SecurityEvent.Kind.values())
                    .filter(k -> k.name().equalsIgnoreCase(r.kind()))
                    .findFirst()
                    .orElse(null);
            if (kind == null) {
                return Outcome.fail(
                        ErrorCode.INVALID_ARGUMENT,
                        "kind must be one of " + Arrays.toString(SecurityEvent.Kind.values()));
            }
        }
        Instant from;
        Instant to;
        try {
            from = r.from() == null ? null : Instant.parse(r.from());
            to = r.to() == null ? null : Instant.parse(r.to());
        } catch (DateTimeParseException e) {
            return Outcome.fail(
                    ErrorCode.INVALID_ARGUMENT, "from and to are ISO-8601 instants like 2026-11-23T10:15:30Z");
        }
        if (from != null && to != null && !from.isBefore(to)) {
            return Outcome.fail(ErrorCode.INVALID_ARGUMENT, "from must be before to");
        }
        try {
            return Outcome.ok(Results.securityEvents(
                    log.securityEvents(new SecurityEventQuery(after, limit, kind, r.user(), from, to))));
        } catch (NotReadyException e) {
            return Outcome.fail(ErrorCode.NOT_READY, e.getMessage());
        } catch (IOException e) {
            return Outcome.fail(ErrorCode.STORAGE_FAILED, "cannot read the security events: " + e.getMessage());
        }
    }
}
