package com.abcbank.client;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A peer that does nothing, on 127.0.0.1, port 0: a thread per connection reads a line and answers it at once with
 * {@code {"id":<its id>,"ok":true,"result":{}}} (or with the error {@code failWith}, if given), flushing only when
 * no more request bytes are waiting, as a pipelining server does, and closes a connection after
 * {@code closeAfter} answers. It counts the lines it answered, and the connections it answered at least once.
 * Two misbehaviours on request: {@link #silentAfter} answers some lines, then reads on and never answers again (a
 * hung server); {@link #swapping} answers each pair of lines in the wrong order. Daemon threads, closed with the
 * server: a test that fails cannot leave one behind.
 */
final class DoNothingServer implements Closeable {
    private static final Pattern ID = Pattern.compile("^\\{\"id\":(\\d+),");

    private final ServerSocket server;
    private final String failWith;
    private final long closeAfter;
    private final long silentAfter;
    private final boolean swap;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    DoNothingServer() throws IOException {
        this(null, Long.MAX_VALUE);
    }

    /**
     * @param failWith   an error code to answer every request with, or null for success
     * @param closeAfter how many lines each connection answers before the server closes it
     */
    DoNothingServer(String failWith, long closeAfter) throws IOException {
        this(failWith, closeAfter, Long.MAX_VALUE, false);
    }

    /** Answers {@code answers} lines per connection, then reads on and answers nothing, never closing. */
    static DoNothingServer silentAfter(long answers) throws IOException {
        return new DoNothingServer(null, Long.MAX_VALUE, answers, false);
    }

    /** Answers line 2 before line 1, 4 before 3, and so on: replies out of request order. */
    static DoNothingServer swapping() throws IOException {
        return new DoNothingServer(null, Long.MAX_VALUE, Long.MAX_VALUE, true);
    }

    private DoNothingServer(String failWith, long closeAfter, long silentAfter, boolean swap) throws IOException {
        this.silentAfter = silentAfter;
        this.swap = swap;
        this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        this.failWith = failWith;
        this.closeAfter = closeAfter;
        Thread accept = new Thread(this::accept, "do-nothing-accept");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return server.getLocalPort();
    }

    long answered() {
        return answered.get();
    }

    /** How many connections got at least one answer. */
    long served() {
        return served.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Thread thread = new Thread(() -> serve(socket), "do-nothing-" + sockets.size());
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket;
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8)) {
            long left = closeAfter;
            long count = 0;
            String held = null; // swapping: the reply to the first line of a pair, written after the second's
            boolean servedHere = false;
            for (String line = in.readLine(); line != null && left > 0; line = in.readLine(), left--) {
                if (count++ >= silentAfter) {
                    continue; // hung: reads, never answers
                }
                String reply = reply(line);
                if (swap && held == null) {
                    held = reply;
                    continue;
                }
                out.write(reply);
                int written = 1;
                if (held != null) {
                    out.write(held);
                    held = null;
                    written = 2;
                }
                answered.addAndGet(written);
                if (!servedHere) {
                    servedHere = true;
                    served.incrementAndGet();
                }
                if (!in.ready() || left == 1 || count == silentAfter) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the client went away, or the server closed: nothing to answer
        }
    }

    private String reply(String line) {
        Matcher id = ID.matcher(line);
        String idText = id.find() ? id.group(1) : "null";
        return failWith == null
                ? "{\"id\":" + idText + ",\"ok\":true,\"result\":{}}\n"
                : "{\"id\":" + idText + ",\"ok\":false,\"error\":{\"code\":\"" + failWith
                        + "\",\"message\":\"test\"}}\n";
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
