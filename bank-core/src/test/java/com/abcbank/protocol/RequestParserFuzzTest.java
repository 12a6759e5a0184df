package com.abcbank.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.abcbank.ledger.ErrorCode;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the request parser: the bytes of one request line, as {@code Connection} hands them to
 * {@link Json#parseRequest(byte[])}, to the streaming path and the tree-based path behind it.
 *
 * <p>What no line may do: throw, hang (10 s an input in a regression run; libFuzzer's -timeout when fuzzing), or get
 * anything but a request or a protocol error ({@code MALFORMED_REQUEST}, {@code UNKNOWN_OP}) with a message. Where
 * the streaming path accepts a line, the tree path must read the same request and id from it; a request read must
 * survive a round trip through {@link Json#writeRequest}; and the reply to any line must be writable.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs as a regression test on the empty input and the files under
 * {@code src/test/resources/com/abcbank/protocol/RequestParserFuzzTestInputs/parse/} (seeds, and any finding
 * {@code scripts/fuzz.sh} saved there). With {@code JAZZER_FUZZ=1} ({@code scripts/fuzz.sh}) Jazzer mutates them.
 */
class RequestParserFuzzTest {
    /** Set by scripts/fuzz.sh: Jazzer mutates inputs instead of running the committed ones. */
    private static final boolean FUZZING = System.getenv("JAZZER_FUZZ") != null
            && !System.getenv("JAZZER_FUZZ").isEmpty();
    /** The most one input may take in a regression run (a seed takes milliseconds). */
    private static final Duration INPUT_TIME_LIMIT = Duration.ofSeconds(10);
    /**
     * JSON numbers compare by value: {@code 0e999999999} echoed as {@code 0} is the same id, though Jackson reads
     * one as a decimal and the other as an int.
     */
    private static final Comparator<JsonNode> SAME_NUMBER =
            (a, b) -> a.isNumber() && b.isNumber() ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;
    /** What the parser may answer a bad line with: the protocol's errors, never the ledger's or an internal one. */
    private static final Set<ErrorCode> PROTOCOL_ERRORS = EnumSet.of(ErrorCode.MALFORMED_REQUEST, ErrorCode.UNKNOWN_OP);

    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({
        "{\"op\":\"",
        "\"id\":",
        "\"account\":\"1001\"",
        "\"amount\":",
        "\"from\":",
        "\"to\":",
        "\"loan\":\"L100001\"",
        "\"key\":\"",
        "\"after\":",
        "\"limit\":",
        "\"user\":",
        "\"password\":",
        "deposit",
        "withdraw",
        "transfer",
        "create_account",
        "apply_loan",
        "pay_loan_check",
        "pay_loan_transfer",
        "balance",
        "history",
        "show_history",
        "show_accountholders",
        "report",
        "verify",
        "login",
        "register",
        "null",
        "9223372036854775807",
        "1e400",
        "\\u0000",
        "\\ud800"
    })
    void parse(byte[] line) throws IOException {
        // A hang fails too. Fuzzing, libFuzzer's -timeout (scripts/fuzz.sh) catches it and keeps the input; a JUnit
        // @Timeout would bound the whole fuzzing run instead of one input.
        if (FUZZING) {
            parseOne(line);
        } else {
            assertTimeoutPreemptively(INPUT_TIME_LIMIT, () -> parseOne(line));
        }
    }

    private static void parseOne(byte[] line) throws IOException {
        Json.Parsed parsed = Json.parseRequest(line);

        assertNotNull(parsed, "parseRequest returned null");
        assertTrue(
                (parsed.request() == null) != (parsed.failure() == null),
                () -> "a line is a request or a refusal, exactly one: " + parsed);
        if (parsed.failure() != null) {
            Failure failure = parsed.failure();
            assertTrue(PROTOCOL_ERRORS.contains(failure.code()), () -> "not a protocol error: " + failure);
            assertNotNull(failure.message(), "a refusal without a message");
            assertFalse(failure.message().isBlank(), "a refusal without a message");
        } else {
            roundTrips(parsed.request());
        }
        // The connection writes the reply to any line; a strange id must not break it.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Json.writeFailure(out, parsed, new Failure(ErrorCode.MALFORMED_REQUEST, "fuzz"));
        Reply reply = Json.parseReply(out.toString(StandardCharsets.UTF_8).strip());
        if (parsed.id() == null || parsed.id().isNull()) {
            assertTrue(reply.unidentified(), "an id came back where the line had none");
        } else {
            assertTrue(
                    parsed.id().equals(SAME_NUMBER, reply.id()),
                    () -> "the id did not come back as sent: " + parsed.id() + " -> " + reply.id());
        }

        // LineReader hands the parser valid UTF-8 only; on such a line the two paths must agree where both accept.
        if (validUtf8(line)) {
            sameAsTree(line, parsed);
        }
    }

    private static void sameAsTree(byte[] line, Json.Parsed parsed) {
        Json.Parsed streamed = Json.parseStreaming(line);
        if (streamed == null) {
            return; // left to the tree path, which is what parseRequest answered with
        }
        String text = new String(line, StandardCharsets.UTF_8);
        Json.Parsed tree = Json.parseTree(text);
        if (tree.failure() != null) {
            fail("the streaming path accepted a line the tree path refuses (" + tree.failure() + "): " + text);
        }
        assertEquals(tree, streamed, () -> "streaming and tree disagree on: " + text);
        assertEquals(streamed, parsed, "parseRequest did not answer with the streaming path's request");
    }

    /** A request read from a line reads back the same when written as a client would write it. */
    private static void roundTrips(Request request) {
        String written = Json.writeRequest(7, request);
        Json.Parsed again = Json.parseRequest(written.getBytes(StandardCharsets.UTF_8));
        assertEquals(request, again.request(), () -> "not the same after a round trip through: " + written);
    }

    private static boolean validUtf8(byte[] line) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(line));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
