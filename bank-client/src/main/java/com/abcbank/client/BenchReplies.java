package com.abcbank.client;

import com.abcbank.ledger.ErrorCode;
import java.nio.charset.StandardCharsets;

/**
 * Reads the envelope of one reply line in place, without building a tree: its {@code id}, {@code ok}, and on
 * failure the error's {@code code}. The bench needs nothing else of a reply, and this costs one pass over its bytes.
 *
 * <p>The format is {@code com.abcbank.protocol.Reply} as the server writes it: {@code {"id":7,"ok":true,
 * "result":{...}}} or {@code {"id":7,"ok":false,"error":{"code":"INSUFFICIENT_FUNDS","message":"..."}}}. The scan
 * is a small JSON reader of one object, not a pattern match: members in any order, whitespace anywhere JSON allows
 * it, strings with escapes, nested results of any shape are skipped whole, and an {@code "ok"} inside a result or a
 * message is never mistaken for the envelope's. It is strict about the envelope (a missing or misspelt
 * {@code ok}, a success without a result, a failure without a known code, bytes after the object) and lenient
 * about values it skips, which it checks for balance but not for full JSON grammar. The one shortcut: the
 * envelope's member names and the error code are compared as raw bytes, so a name spelt with escapes
 * (a backslash-u escape for a letter of {@code ok}) counts as unknown and is skipped; no JSON writer does that.
 *
 * <p>Not thread-safe: one per event loop, reused for every line; the fields hold the last line's envelope.
 */
final class BenchReplies {
    /** {@link #id} when the reply's id is {@code null} or absent: the server could not read the request's. */
    static final long NO_ID = Long.MIN_VALUE;

    /** {@link #id} when the reply's id is not a whole number of at most 18 digits: never one the bench sent. */
    static final long OTHER_ID = Long.MIN_VALUE + 1;

    /** A line that is not a reply: the other end broke the protocol. Rare, so a plain (stackless) exception. */
    static final class BadReply extends Exception {
        private static final long serialVersionUID = 1L;

        BadReply(String message) {
            super(message, null, false, false);
        }
    }

    private static final byte[] ID = ascii("id");
    private static final byte[] OK = ascii("ok");
    private static final byte[] RESULT = ascii("result");
    private static final byte[] ERROR = ascii("error");
    private static final byte[] CODE = ascii("code");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");
    private static final byte[] NULL = ascii("null");
    private static final ErrorCode[] CODES = ErrorCode.values();
    private static final byte[][] CODE_NAMES = new byte[CODES.length][];

    static {
        for (int i = 0; i < CODES.length; i++) {
            CODE_NAMES[i] = ascii(CODES[i].name());
        }
    }

    /** The last line's id: the number, {@link #NO_ID} or {@link #OTHER_ID}. */
    long id;
    /** The last line's {@code ok}. */
    boolean ok;
    /** The last line's error code; null when it was a success. */
    ErrorCode code;
    /** Where the last line's id value is, for a message: {@code bytes[idStart, idEnd)}. */
    int idStart;

    int idEnd;

    private byte[] bytes;
    private int end;
    private int at;
    private boolean sawOk;
    private boolean sawResult;

    /** Reads the reply in {@code bytes[from, to)} (no newline; a trailing {@code \r} is whitespace) into the fields. */
    void scan(byte[] line, int from, int to) throws BadReply {
        bytes = line;
        end = to;
        at = from;
        id = NO_ID;
        idStart = idEnd = from;
        code = null;
        sawOk = false;
        sawResult = false;
        expect('{');
        if (peek() == '}') {
            at++;
        } else {
            do {
                member();
            } while (next(',', '}') == ',');
        }
        if (skipSpace() != end) {
            throw new BadReply("bytes after the reply object");
        }
        if (!sawOk) {
            throw new BadReply("a reply without \"ok\"");
        }
        if (ok ? !sawResult : code == null) {
            throw new BadReply(ok ? "a success reply without a result" : "a failure reply without an error code");
        }
    }

    /** The last line's id as sent, for a message: {@code 7}, {@code "abc"}, {@code null}. */
    String idText() {
        return idEnd > idStart ? new String(bytes, idStart, idEnd - idStart, StandardCharsets.UTF_8) : "null";
    }

    private void member() throws BadReply {
        int nameStart = name();
        int nameEnd = at - 1;
        expect(':');
        skipSpace();
        if (is(nameStart, nameEnd, OK)) {
            if (literal(TRUE)) {
                ok = true;
            } else if (literal(FALSE)) {
                ok = false;
            } else {
                throw new BadReply("\"ok\" must be true or false");
            }
            sawOk = true;
        } else if (is(nameStart, nameEnd, ID)) {
            id();
        } else if (is(nameStart, nameEnd, ERROR)) {
            error();
        } else if (!(is(nameStart, nameEnd, RESULT) && literal(NULL))) { // "result":null is no result
            sawResult |= is(nameStart, nameEnd, RESULT);
            value();
        }
    }

    /** Skips a member name; returns where its text starts (it ends just before {@code at}, at the closing quote). */
    private int name() throws BadReply {
        skipSpace();
        int start = at + 1;
        string();
        return start;
    }

    private void id() throws BadReply {
        idStart = at;
        if (literal(NULL)) {
            id = NO_ID;
        } else {
            long value = 0;
            int digits = 0;
            while (at < end && bytes[at] >= '0' && bytes[at] <= '9') {
                value = value * 10 + (bytes[at++] - '0');
                digits++;
            }
            boolean whole = digits > 0 && digits <= 18 && (digits == 1 || bytes[idStart] != '0');
            if (!whole || (at < end && (bytes[at] == '.' || bytes[at] == 'e' || bytes[at] == 'E'))) {
                at = idStart;
                value(); // a string, a fraction, a negative or huge number: not an id the bench sent
                id = OTHER_ID;
            } else {
                id = value;
            }
        }
        idEnd = at;
    }

    /** {@code {"code":"...","message":"..."}}: the code, if it is one of ours; the rest skipped. */
    private void error() throws BadReply {
        if (literal(NULL)) {
            return;
        }
        expect('{');
        if (peek() == '}') {
            at++;
            return;
        }
        do {
            int nameStart = name();
            int nameEnd = at - 1;
            expect(':');
            skipSpace();
            if (is(nameStart, nameEnd, CODE)) {
                code = errorCode();
            } else {
                value();
            }
        } while (next(',', '}') == ',');
    }

    private ErrorCode errorCode() throws BadReply {
        int start = name();
        for (int i = 0; i < CODES.length; i++) {
            if (is(start, at - 1, CODE_NAMES[i])) {
                return CODES[i];
            }
        }
        throw new BadReply(
                "unknown error code " + new String(bytes, start - 1, at - start + 1, StandardCharsets.UTF_8));
    }

    /** Skips one JSON value: a string, an object or array (balanced, strings inside respected), or a scalar. */
    private void value() throws BadReply {
        byte first = peek();
        if (first == '"') {
            string();
        } else if (first == '{' || first == '[') {
            int depth = 0;
            do {
                byte b = bytes[at];
                if (b == '"') {
                    string();
                    continue;
                }
                depth += b == '{' || b == '[' ? 1 : b == '}' || b == ']' ? -1 : 0;
                at++;
            } while (depth > 0 && at < end);
            if (depth > 0) {
                throw new BadReply("a reply cut off inside a value");
            }
        } else {
            int start = at;
            while (at < end && bytes[at] != ',' && bytes[at] != '}' && bytes[at] != ']' && !space(bytes[at])) {
                at++;
            }
            if (at == start) {
                throw new BadReply("a member without a value");
            }
        }
    }

    /** Skips a string from its opening quote to past its closing one, escapes included. */
    private void string() throws BadReply {
        if (peek() != '"') {
            throw new BadReply("a string expected at byte " + at);
        }
        at++;
        while (at < end && bytes[at] != '"') {
            at += bytes[at] == '\\' ? 2 : 1;
        }
        if (at >= end) {
            throw new BadReply("a reply cut off inside a string");
        }
        at++;
    }

    /** Consumes {@code word} if it comes next (after whitespace). */
    private boolean literal(byte[] word) {
        skipSpace();
        if (end - at >= word.length && is(at, at + word.length, word)) {
            at += word.length;
            return true;
        }
        return false;
    }

    private void expect(char c) throws BadReply {
        if (peek() != c) {
            throw new BadReply("'" + c + "' expected at byte " + at);
        }
        at++;
    }

    /** Consumes {@code a} or {@code b}, whichever comes next, and returns it; anything else is bad. */
    private char next(char a, char b) throws BadReply {
        byte c = peek();
        if (c != a && c != b) {
            throw new BadReply("'" + a + "' or '" + b + "' expected at byte " + at);
        }
        at++;
        return (char) c;
    }

    /** The next byte after whitespace (not consumed); fails at the end of the line. */
    private byte peek() throws BadReply {
        if (skipSpace() >= end) {
            throw new BadReply("a reply cut off");
        }
        return bytes[at];
    }

    private int skipSpace() {
        while (at < end && space(bytes[at])) {
            at++;
        }
        return at;
    }

    private static boolean space(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    private boolean is(int from, int to, byte[] word) {
        if (to - from != word.length) {
            return false;
        }
        for (int i = 0; i < word.length; i++) {
            if (bytes[from + i] != word[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
