package com.abcbank.protocol;

import com.abcbank.ledger.Ledger;
import java.util.regex.Pattern;

/**
 * The constants both ends of the wire must agree on, said once: the server checks against them, the client
 * checks before it sends (so that a mistake is a usage error, not a refusal) and names them in its messages.
 * Each is part of the wire's stability promise (see {@code package-info}): changing one breaks existing clients,
 * saved credentials or scripts.
 */
public final class Wire {
    /**
     * What an idempotency key may be: 1 to 64 printable ASCII characters, no spaces (a UUID fits). Printable and
     * bounded because the server keeps keys for a day and prints them in histories. The ledger enforces it, so it
     * is {@link Ledger#KEY}, named here for the client (the ledger does not depend on the protocol).
     */
    public static final Pattern KEY = Ledger.KEY;

    /** Why a key was refused, fit to show a person: the rule of {@link #KEY} in words. */
    public static final String KEY_RULE = Ledger.KEY_RULE;

    /** The one auditor's user name. Names match regardless of case on the server. */
    public static final String AUDITOR = "Audit";

    /** The file in the server's data directory that holds the auditor's first password (mode 600). */
    public static final String AUDIT_PASSWORD_FILE = "audit-password";

    /** The TCP port the server listens on, and the client connects to, unless told otherwise. */
    public static final int DEFAULT_PORT = 5050;

    private Wire() {}

    /** Whether {@code key} is a key the server takes; {@code null} is none. */
    public static boolean isKey(String key) {
        return key != null && KEY.matcher(key).matches();
    }
}
