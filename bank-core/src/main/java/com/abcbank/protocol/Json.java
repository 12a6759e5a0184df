package com.abcbank.protocol;

import com.abcbank.ledger.ErrorCode;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place that knows Jackson. Readers and writers are immutable and shared by all threads.
 *
 * <p>Jackson's defaults are lenient where a bank must not be, so the mapper turns them around: a missing
 * required field is an error, not 0; {@code null} is not 0, nor a value at all (leave an optional field out); {@code 12.5} is not 12; {@code "200"} is not
 * 200 and {@code 1001} is not {@code "1001"}; an unknown field is an error (a typo must not be ignored); a
 * duplicate field is an error (which {@code amount} would count?); so is anything after the object.
 *
 * <p>The server's path is streaming: a request line is read from its bytes without a tree ({@link
 * #parseRequest(byte[])}), and a reply is written from the result record straight into the connection's buffer
 * ({@link #writeReply}). Both are byte-for-byte what the tree-based path gives: a line the fast path does not
 * accept goes through the tree-based path, which words every refusal, and a test pins the reply bytes.
 */
public final class Json {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .withCoercionConfig(LogicalType.Textual, Json::onlyStringsAreText)
            .build();
    /**
     * Reads lines as trees, and so the {@code id} the reply echoes. Decimals as BigDecimal, exactly: an id of
     * {@code 1e400} or {@code 0.1000000000000000001} comes back as sent, where a binary floating-point number would
     * make it {@code "Infinity"} (a string) or 0.1 (a fuzz finding: RequestParserFuzzTestInputs/parse/id_beyond_double).
     */
    private static final ObjectReader TREE = MAPPER.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    /** Reads replies; its ids as {@link #TREE} reads them, so a client sees the id it sent. */
    private static final ObjectReader REPLY =
            MAPPER.readerFor(Reply.class).with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static final ObjectWriter WRITER = MAPPER.writer();
    private static final ObjectWriter REQUEST_WRITER = MAPPER.writerFor(Request.class);

    /**
     * What only the server uses: reading requests, writing replies. A holder, initialised on first use, so that
     * a one-shot client, which writes requests and reads replies, does not build these (the request reader
     * resolves the deserializers of every op) at start.
     */
    private static final class ServerSide {
        static final ObjectReader REQUEST = MAPPER.readerFor(Request.class);
        /** Reads the {@code id} value in the middle of a line: what follows it is not trailing garbage. */
        static final ObjectReader ID = TREE.without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        /**
         * Binds a line {@link #scan} found clean: its top level has no duplicate field (scan checks that, on a few
         * names, where Jackson's detector builds a set per object), and a nested object in a field fails binding
         * and goes to the tree path, which detects duplicates at every depth.
         */
        static final ObjectReader CLEAN_REQUEST = REQUEST.without(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        /**
         * Writes replies into a stream the caller owns: Jackson neither closes it nor flushes it, so a connection
         * decides when its replies leave (all those of a pipelined batch, in one flush).
         */
        static final ObjectWriter REPLY_WRITER = MAPPER.writerFor(Outgoing.class)
                .without(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .without(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);

        private ServerSide() {}
    }

    /** A reply as the server writes it: {@link Reply}'s shape, with the result as its record, not a tree. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private record Outgoing(
            @JsonInclude(JsonInclude.Include.ALWAYS) JsonNode id, boolean ok, Object result, Failure error) {}

    private Json() {}

    /**
     * A text field (an account number, a user name) takes a JSON string and nothing else: every other input
     * shape (a number, a boolean, an array, an object) fails instead of being turned into text.
     */
    private static void onlyStringsAreText(com.fasterxml.jackson.databind.cfg.MutableCoercionConfig textual) {
        for (CoercionInputShape shape : CoercionInputShape.values()) {
            if (shape != CoercionInputShape.String && shape != CoercionInputShape.EmptyString) {
                textual.setCoercion(shape, CoercionAction.Fail);
            }
        }
    }

    /** A request line, read: its {@code id} (always, if the line was an object) and either the request or why not. */
    public record Parsed(JsonNode id, Request request, Failure failure) {}

    /** Reads one request line. Never throws for bad input: a bad line is a {@link Failure}. */
    public static Parsed parseRequest(String line) {
        return parseRequest(line.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads one request line, given as its UTF-8 bytes (no newline). Never throws for bad input: a bad line is a
     * {@link Failure}.
     *
     * <p>Two passes over the bytes, no tree: {@link #scan} checks the top level (an object, an {@code op} string
     * of a known op, no {@code null} field, nothing after it) and takes the {@code id}; then the request is bound
     * from the same bytes. A line either pass does not take cleanly is read again by the tree-based {@link
     * #parseTree}, which says exactly what is wrong with it: refusals are rare, and worded in one place.
     */
    public static Parsed parseRequest(byte[] line) {
        Parsed fast = parseStreaming(line);
        return fast != null ? fast : parseTree(new String(line, StandardCharsets.UTF_8));
    }

    /** The request on a clean line, read without a tree, or {@code null} if {@link #parseTree} must say more. */
    static Parsed parseStreaming(byte[] line) {
        Clean clean = scan(line);
        if (clean == null) {
            return null;
        }
        try {
            return new Parsed(clean.id(), ServerSide.CLEAN_REQUEST.readValue(line), null);
        } catch (IOException | RuntimeException e) {
            return null; // worded by parseTree
        }
    }

    /** A request line whose top level is clean, and its {@code id} ({@code null} if it has none). */
    private record Clean(JsonNode id) {}

    /** The line's top level if it is clean, or {@code null} if the tree-based path must say what is wrong. */
    private static Clean scan(byte[] line) {
        if (!plainUtf8(line)) {
            return null;
        }
        JsonNode id = null;
        boolean op = false;
        List<String> fields = new ArrayList<>(8);
        try (JsonParser parser = MAPPER.createParser(line)) {
            parser.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION); // the top level is checked below
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                if (fields.contains(field)) {
                    return null;
                }
                fields.add(field);
                JsonToken value = parser.nextToken();
                if (field.equals("id")) {
                    if (value.isStructStart()) {
                        return null; // an object or array id may hide a duplicate: the tree path checks every depth
                    }
                    id = ServerSide.ID.readTree(parser);
                } else if (value == JsonToken.VALUE_NULL) {
                    return null;
                } else if (field.equals("op")) {
                    if (value != JsonToken.VALUE_STRING || !Request.OPS.contains(parser.getText())) {
                        return null;
                    }
                    op = true;
                } else {
                    parser.skipChildren();
                }
            }
            return op && parser.nextToken() == null ? new Clean(id) : null;
        } catch (IOException | NumberFormatException e) {
            return null; // worded by parseTree; NumberFormatException: an id beyond BigDecimal (see TREE)
        }
    }

    /**
     * Whether Jackson's byte parser will read {@code line} as the UTF-8 text it is: it guesses UTF-16 or UTF-32
     * from NUL bytes among the first four and skips a byte-order mark, where the tree path, given the decoded
     * text, refuses both.
     */
    private static boolean plainUtf8(byte[] line) {
        if (line.length >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB && line[2] == (byte) 0xBF) {
            return false;
        }
        for (byte b : line) {
            if (b == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads one request line through a tree, and says exactly what is wrong with a bad one. Package-private for
     * the test that holds the streaming path to the same answers.
     */
    static Parsed parseTree(String line) {
        JsonNode tree;
        try {
            tree = TREE.readTree(line);
        } catch (JsonProcessingException e) {
            return new Parsed(
                    null, null, new Failure(ErrorCode.MALFORMED_REQUEST, "not JSON: " + e.getOriginalMessage()));
        } catch (NumberFormatException e) {
            // A decimal whose exponent a BigDecimal cannot hold (1e9999999999): Jackson throws this, not its own.
            return new Parsed(null, null, new Failure(ErrorCode.MALFORMED_REQUEST, "not JSON: a number out of range"));
        }
        if (tree == null || !tree.isObject()) {
            return new Parsed(null, null, new Failure(ErrorCode.MALFORMED_REQUEST, "a request is a JSON object"));
        }
        ObjectNode object = (ObjectNode) tree;
        JsonNode id = object.remove("id");
        JsonNode op = object.get("op");
        if (op == null || !op.isTextual()) {
            return new Parsed(id, null, new Failure(ErrorCode.MALFORMED_REQUEST, "a request needs an \"op\" string"));
        }
        var fields = object.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            if (field.getValue().isNull()) {
                return new Parsed(
                        id,
                        null,
                        new Failure(
                                ErrorCode.MALFORMED_REQUEST,
                                "field \"" + field.getKey()
                                        + "\" is null: give a value, or leave an optional field out"));
            }
        }
        if (!Request.OPS.contains(op.asText())) {
            return new Parsed(
                    id,
                    null,
                    new Failure(
                            ErrorCode.UNKNOWN_OP,
                            "unknown op \"" + op.asText() + "\"; known: " + String.join(", ", Request.OPS)));
        }
        try {
            return new Parsed(id, ServerSide.REQUEST.readValue(object), null);
        } catch (InvalidTypeIdException e) {
            return new Parsed(id, null, new Failure(ErrorCode.UNKNOWN_OP, "unknown op \"" + op.asText() + "\""));
        } catch (ValueInstantiationException e) {
            String reason = e.getCause() != null ? e.getCause().getMessage() : e.getOriginalMessage();
            return new Parsed(id, null, new Failure(ErrorCode.MALFORMED_REQUEST, op.asText() + ": " + reason));
        } catch (java.io.IOException e) {
            return new Parsed(id, null, new Failure(ErrorCode.MALFORMED_REQUEST, op.asText() + ": " + describe(e)));
        }
    }

    /**
     * A request as one line: {@code {"id":..,"op":..,...}}. Written as UTF-8 bytes, as the server writes its replies:
     * Jackson's byte writer escapes a UTF-16 surrogate as {@code \}{@code uD800}, where its text writer would put
     * the bare char into the line, and a lone one (in a password, say) would then reach the wire as {@code ?}, a
     * different request (a fuzz finding: RequestParserFuzzTestInputs/parse/lone_surrogate_round_trip).
     */
    public static String writeRequest(JsonNode id, Request request) {
        try {
            ObjectNode line = JsonNodeFactory.instance.objectNode();
            line.set("id", id);
            line.setAll((ObjectNode) TREE.readTree(REQUEST_WRITER.writeValueAsString(request)));
            return new String(WRITER.writeValueAsBytes(line), StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A request as one line without an id, {@code {"op":..,...}}: what a cluster's log entry carries (written straight
     * from the record, where {@link #writeRequest(JsonNode, Request)} goes through a tree to put the id first).
     */
    public static String writeRequest(Request request) {
        try {
            return REQUEST_WRITER.writeValueAsString(request);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A request as one line with a numeric id, as a client numbers its requests: {@code {"id":3,"op":..,...}}. */
    public static String writeRequest(long id, Request request) {
        return writeRequest(tree(id), request);
    }

    /**
     * Writes the successful reply to {@code line} ({@code null}: a line that could not be read, so no id),
     * {@code {"id":..,"ok":true,"result":{..}}} and its newline, into {@code out}, straight from the result record: the same bytes as {@link #write} of {@link Reply#success} with the record's
     * tree. {@code out} is neither flushed nor closed.
     */
    public static void writeReply(OutputStream out, Parsed line, Object result) throws IOException {
        ServerSide.REPLY_WRITER.writeValue(out, new Outgoing(line == null ? null : line.id(), true, result, null));
        out.write('\n');
    }

    /** Writes a failed reply and its newline into {@code out}, as {@link #writeReply} does a successful one. */
    public static void writeFailure(OutputStream out, Parsed line, Failure failure) throws IOException {
        ServerSide.REPLY_WRITER.writeValue(out, new Outgoing(line == null ? null : line.id(), false, null, failure));
        out.write('\n');
    }

    /** A reply as one line, without the newline. */
    public static String write(Reply reply) {
        try {
            return WRITER.writeValueAsString(reply);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a reply line; throws {@link UncheckedIOException} if it is not one (the server broke the protocol). */
    public static Reply parseReply(String line) {
        try {
            return REPLY.readValue(line);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("not a reply: " + e.getOriginalMessage(), e);
        } catch (NumberFormatException e) { // a decimal beyond BigDecimal (see TREE)
            throw new UncheckedIOException("not a reply: a number out of range", new IOException(e));
        }
    }

    /** A new, empty JSON object to fill. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /**
     * Any JSON text as a tree (numbers as the request parser reads them).
     *
     * @throws UncheckedIOException if it is not JSON
     */
    public static JsonNode readTree(String text) {
        try {
            return TREE.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Any value as a JSON tree (a {@link Result} record, say). */
    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /**
     * A JSON tree as a value of {@code type}, such as a reply's result as a {@link Result} record.
     *
     * @throws UncheckedIOException if the tree does not have that shape
     */
    public static <T> T convert(JsonNode node, Class<T> type) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("unexpected result shape: " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) { // Jackson's word for a conversion it cannot make
            throw new UncheckedIOException("unexpected result shape: " + e.getMessage(), new java.io.IOException(e));
        }
    }

    /** A JSON tree as pretty-printed text. */
    public static String pretty(JsonNode node) {
        try {
            return WRITER.withDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Jackson's message without its source excerpt, and with the field path in snake_case as sent. */
    private static String describe(java.io.IOException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException mapping
                && !mapping.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference reference : mapping.getPath()) {
                if (reference.getFieldName() != null) {
                    path.append(path.length() == 0 ? "" : ".").append(reference.getFieldName());
                }
            }
            String message = e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
            return "field \"" + path + "\": " + firstSentence(message);
        }
        return e instanceof JsonProcessingException p ? firstSentence(p.getOriginalMessage()) : e.getMessage();
    }

    private static String firstSentence(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
