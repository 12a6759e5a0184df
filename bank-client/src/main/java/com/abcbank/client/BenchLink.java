package com.abcbank.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;

/**
 * One bench connection before the load: a {@link SocketChannel}, in blocking mode, with a {@link BankConnection}
 * over it for the setup (register, open accounts, log in), then handed over, non-blocking, to an event loop.
 *
 * <p>The setup speaks through {@link BankConnection} like every other command (bounded: the connect timeout, and the
 * read timeout on each reply through the channel's socket adaptor), because it is not measured. The hand-over is
 * safe only between requests: nothing unanswered and no reply bytes read ahead, which {@link #handOver} checks. The
 * loop's requests number their ids from 1 again on the same connection; the server echoes ids and needs no order
 * across them. Closing the link closes the socket, whoever holds it. Not thread-safe: one owner at a time.
 */
final class BenchLink implements AutoCloseable {
    private final String peer;
    private final SocketChannel channel;
    private final BankConnection bank;

    private BenchLink(String peer, SocketChannel channel, BankConnection bank) {
        this.peer = peer;
        this.channel = channel;
        this.bank = bank;
    }

    /** Connects to {@code endpoint}, or throws {@link ClientException} (exit 75), as {@link BankConnection#open}. */
    static BenchLink open(Endpoint endpoint, int connectTimeoutMs, int readTimeoutMs) {
        String peer = endpoint.toString();
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true); // Nagle would hold a lone request back
            channel.socket().setSoTimeout(readTimeoutMs); // the adaptor's reads in blocking mode honour it
            channel.socket().connect(new InetSocketAddress(endpoint.host(), endpoint.port()), connectTimeoutMs);
            BankConnection bank = new BankConnection(
                    peer, channel.socket().getInputStream(), channel.socket().getOutputStream(), channel);
            return new BenchLink(peer, channel, bank);
        } catch (IOException | UnresolvedAddressException e) {
            closeQuietly(channel);
            throw BankConnection.cannotConnect(peer, e, connectTimeoutMs);
        }
    }

    String peer() {
        return peer;
    }

    /** The blocking connection for the setup; not to be used after {@link #handOver}. */
    BankConnection bank() {
        return bank;
    }

    /** The channel, now non-blocking, for an event loop; the link still closes it. */
    SocketChannel handOver() {
        if (bank.inFlight() != 0 || bank.replyBuffered()) {
            throw new IllegalStateException("handed over with replies owed or read ahead: " + peer); // a bug
        }
        try {
            channel.configureBlocking(false);
            return channel;
        } catch (IOException e) {
            throw new ClientException(
                    ExitCodes.UNAVAILABLE, "lost the connection to " + peer + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // Best effort: the run is over for this connection, or failing anyway.
        }
    }
}
