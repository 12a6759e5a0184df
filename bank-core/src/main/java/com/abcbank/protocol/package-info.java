/**
 * The wire protocol: one JSON object per line over TCP, a request ({@link com.abcbank.protocol.Request}) in and
 * a reply ({@link com.abcbank.protocol.Reply}) out, in order. docs/protocol.md describes it for people.
 *
 * <p>This package is the one place that knows Jackson ({@link com.abcbank.protocol.Json}): the server and the
 * client speak in the records here and never see a parser, so the JSON library can change without them.
 *
 * <p><b>What is stable.</b> The bytes on the wire are a promise to every client, script and saved credentials
 * file: the op names ({@link com.abcbank.protocol.Request#OPS}), the field names (snake_case) and their meaning,
 * the {@link com.abcbank.protocol.Result} shapes, the error codes, and the constants in
 * {@link com.abcbank.protocol.Wire} (the key rule, the auditor's name, the default port). Those change only by
 * adding (a new op, a new optional field, a new code), never by renaming or removing. The Java API around them
 * (the helper methods on {@code Json} and {@code Reply}) serves this project's own server and client and may change
 * with them.
 */
package com.abcbank.protocol;
