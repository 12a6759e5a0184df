/**
 * The bank's TCP server: line-delimited JSON (docs/protocol.md) over one thread per connection, answering each
 * request only once the journal covers what the answer shows.
 *
 * <p>Stable, for embedding and tests: {@link com.abcbank.server.BankServer} ({@code start}, {@code port},
 * {@code feed}, {@code awaitStopped}, {@code close}), {@link com.abcbank.server.ServerConfig}, and the
 * {@code bank-server} command line of {@link com.abcbank.server.ServerMain} (its options and exit codes).
 *
 * <p>Internal, package-private, free to change: {@code Connection} (one client: read, answer, write),
 * {@code Dispatcher} (one request: route to the ledger, wait for durability), {@code LineReader} (bounded
 * lines), {@code BankState} (opening the data directory: users, snapshot, journal replay),
 * {@code SnapshotSchedule} (snapshots and the idempotency-key window) and {@code TlsAcceptor} (with
 * {@code --tls-keystore}: the keystore, and per connection the plaintext check and the TLS 1.3 handshake).
 *
 * <p>The server sees the journal only through the seams of {@code com.abcbank.journal}:
 * {@link com.abcbank.journal.DurableLog} (the durability boundary) and {@link com.abcbank.journal.DurableFeed}
 * (durable transactions for observers). See docs/architecture.md, "Seams".
 */
package com.abcbank.server;
