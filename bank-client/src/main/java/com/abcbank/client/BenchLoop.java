package com.abcbank.client;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One event-loop thread of the bench, in the manner of redis-benchmark's {@code ae} loop: one {@link Selector}
 * (epoll on Linux) over many non-blocking connections ({@link BenchChannel}), so the load generator pays a few
 * system calls per request and no thread wake-up, however many connections it drives.
 *
 * <p>The loop: every channel sends its first window; then, until every channel is done or failed, select, and for
 * each ready channel read the replies that came and refill its window. A channel that has all its replies after the
 * schedule said stop is closed and left. A channel that fails (end of stream, reset, a reply that is not one, no
 * reply within the read timeout) is counted ({@link BenchTally#fail}), closed and left; the others go on, as each
 * connection of the old thread-per-connection bench did alone.
 *
 * <p>Bounded: {@link Selector#select(java.util.function.Consumer, long)} wakes at least every
 * {@value #TICK_MS} ms, and each time at least that long after the last look, every waiting channel is checked
 * against the read timeout, so a server that stops answering ends the run within the read timeout plus a tick.
 * {@link #halt} (from the runner's hard deadline, any thread) wakes the selector and ends the loop at once.
 *
 * <p>Threads: {@link #run} on the loop's own thread owns the selector, the channels and the tally's writes; the
 * runner only reads the tally ({@link BenchTally}'s contract) and may call {@link #halt}.
 */
final class BenchLoop implements Runnable {
    /** The longest select, and how often waiting channels are checked against the read timeout. */
    static final long TICK_MS = 100;

    private final List<BenchChannel> channels = new ArrayList<>();
    private final BenchTally tally = new BenchTally();
    private final BenchReplies replies = new BenchReplies();
    private final long readTimeoutMs;
    /** {@link #ready} as the selector's action, made once: a method reference per select would allocate. */
    private final Consumer<SelectionKey> onReady = this::ready;

    private volatile boolean halted;
    private volatile Selector selector;
    private int open;

    BenchLoop(long readTimeoutMs) {
        this.readTimeoutMs = readTimeoutMs;
    }

    /** Adds a connection before the loop runs. */
    void add(BenchChannel channel) {
        channels.add(channel);
    }

    /** What this loop's channels measured; its scanner, shared by them (this loop's thread only). */
    BenchTally tally() {
        return tally;
    }

    BenchReplies replies() {
        return replies;
    }

    @Override
    public void run() {
        try (Selector opened = Selector.open()) {
            selector = opened;
            open = channels.size();
            for (BenchChannel channel : channels) {
                try {
                    channel.register(opened);
                } catch (IOException e) {
                    end(channel, channel.lost(e), BenchTally.LOST);
                }
            }
            channels.forEach(this::visit);
            loop(opened);
        } catch (IOException e) {
            tally.fail(BenchTally.LOST, "the bench's event loop failed: " + e.getMessage());
        } finally {
            channels.forEach(BenchChannel::finish);
        }
    }

    private void loop(Selector opened) throws IOException {
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(readTimeoutMs);
        long tickNanos = TimeUnit.MILLISECONDS.toNanos(TICK_MS);
        long nextCheck = System.nanoTime() + tickNanos;
        while (open > 0 && !halted) {
            opened.select(onReady, TICK_MS);
            long now = System.nanoTime();
            if (now - nextCheck >= 0) {
                for (BenchChannel channel : channels) {
                    if (channel.expired(now, timeoutNanos)) {
                        end(channel, channel.timedOut(readTimeoutMs), BenchTally.LOST);
                    }
                }
                nextCheck = now + tickNanos;
            }
        }
        if (halted) {
            for (BenchChannel channel : channels) {
                if (!channel.finished()) {
                    end(channel, channel.halted(), BenchTally.LOST);
                }
            }
        }
    }

    private void ready(SelectionKey key) {
        BenchChannel channel = (BenchChannel) key.attachment();
        if (channel.finished() || !key.isValid()) {
            return;
        }
        try {
            if (key.isReadable()) {
                channel.receive();
            }
        } catch (IOException e) {
            end(channel, channel.lost(e), BenchTally.LOST);
            return;
        } catch (BenchReplies.BadReply e) {
            end(channel, channel.protocolError(e), BenchTally.PROTOCOL_ERROR);
            return;
        }
        visit(channel);
    }

    /** Refills and writes; closes the channel once it is done, or ends it if the write fails. */
    private void visit(BenchChannel channel) {
        if (channel.finished()) {
            return;
        }
        try {
            channel.send();
        } catch (IOException e) {
            end(channel, channel.lost(e), BenchTally.LOST);
            return;
        }
        if (channel.done()) {
            channel.finish();
            open--;
        }
    }

    private void end(BenchChannel channel, String why, String code) {
        if (!channel.finished()) {
            tally.fail(code, why);
            channel.finish();
            open--;
        }
    }

    /** Ends the loop soon, whatever its channels are waiting for. Any thread; idempotent. */
    void halt() {
        halted = true;
        Selector current = selector;
        if (current != null) {
            current.wakeup();
        }
    }
}
