package com.abcbank.journal;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One security event of the audit trail: a failed or throttled login, a lockout, an operation refused for lack of
 * right, a password change. Kept in the journal, hash-chained with the transactions (docs/architecture.md, "Security
 * events"), and listed to the auditor by {@code show_security_events}.
 *
 * <p>It never holds a secret: there is no field for one, and the server fills {@code detail} with an op name and an
 * error code only. Every text is bounded and sanitized here, whoever makes the event, so that a hostile user name can
 * neither grow a record nor put control characters (a forged log line, a terminal escape) in front of the auditor.
 *
 * @param number   the event's place in the trail, 1, 2, 3... in journal order; 0 until the trail has numbered it
 *                 (events are numbered by their position in the journal, not stored with a number)
 * @param time     when it happened, by the bank's clock
 * @param user     the user name as the client gave it (at most {@link #MAX_USER_CHARS}, sanitized); empty if none
 * @param address  the client's address (at most {@link #MAX_ADDRESS_CHARS})
 * @param detail   a short reason: the op and error code of a denied op (at most {@link #MAX_DETAIL_CHARS})
 * @param repeated how many occurrences this record stands for: 1, or more when a flood was aggregated
 */
public record SecurityEvent(
        long number, Instant time, Kind kind, String user, String address, String detail, int repeated) {
    public static final int MAX_USER_CHARS = 64;
    public static final int MAX_ADDRESS_CHARS = 64;
    public static final int MAX_DETAIL_CHARS = 200;

    /** Kinds of event. Codes are stored in the journal: append, never renumber. */
    public enum Kind {
        LOGIN_FAILED(1),
        LOGIN_THROTTLED(2),
        /** A name (or a name from an address) becomes blocked by the login throttle: recorded once per block. */
        LOCKOUT(3),
        OPERATION_DENIED(4),
        PASSWORD_CHANGED(5);

        public final int code;

        Kind(int code) {
            this.code = code;
        }

        public static Optional<Kind> ofCode(int code) {
            for (Kind kind : values()) {
                if (kind.code == code) {
                    return Optional.of(kind);
                }
            }
            return Optional.empty();
        }
    }

    public SecurityEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(kind, "kind");
        if (number < 0 || repeated < 1) {
            throw new IllegalArgumentException("number " + number + ", repeated " + repeated);
        }
        user = sanitize(user, MAX_USER_CHARS);
        address = sanitize(address, MAX_ADDRESS_CHARS);
        detail = sanitize(detail, MAX_DETAIL_CHARS);
    }

    /** A new event, not numbered yet. */
    public static SecurityEvent of(Instant time, Kind kind, String user, String address, String detail) {
        return new SecurityEvent(0, time, kind, user, address, detail, 1);
    }

    public SecurityEvent numbered(long eventNumber) {
        return new SecurityEvent(eventNumber, time, kind, user, address, detail, repeated);
    }

    public SecurityEvent repeated(int times) {
        return new SecurityEvent(number, time, kind, user, address, detail, times);
    }

    /**
     * {@code text} cut to {@code max} characters (a cut one ends in "..."), with every control or format character (a
     * bidi override), line or paragraph separator and character outside the Basic Multilingual Plane replaced by '?':
     * what is left prints on one line, reads in order, and takes at most three bytes a character in the journal.
     */
    static String sanitize(String text, int max) {
        if (text == null) {
            return "";
        }
        int length = Math.min(text.length(), max);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            out.append(printable(c) ? c : '?');
        }
        if (text.length() > max) {
            out.setLength(max - 3);
            out.append("...");
        }
        return out.toString();
    }

    private static boolean printable(char c) {
        int type = Character.getType(c);
        return !Character.isISOControl(c)
                && type != Character.FORMAT
                && type != Character.LINE_SEPARATOR
                && type != Character.PARAGRAPH_SEPARATOR
                && !Character.isSurrogate(c);
    }
}
