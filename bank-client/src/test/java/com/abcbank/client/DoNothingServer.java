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
 * {@code closeAfter} answers. It counts the lines it answered. Daemon threads,
 * closed with the server: a test that fails cannot leave one behind.
 */
final class DoNothingServer implements Closeable {
    private static final Pattern ID = Pattern.compile("^\\{\"id\":(\\d+),");

    private final ServerSocket server;
    private final String failWith;
    private final long closeAfter;
    private final AtomicLong answered = new AtomicLong();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    DoNothingServer() throws IOException {
        this(null, Long.MAX_VALUE);
    }

    /**
     * @param failWith   an error code to answer every request with, or null for success
     * @param closeAfter how many lines each connection answers before the server closes it
     */
    DoNothingServer(String failWith, long closeAfter) throws IOException {
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
            for (String line = in.readLine(); line != null && left > 0; line = in.readLine(), left--) {
                Matcher id = ID.matcher(line);
                String idText = id.find() ? id.group(1) : "null";
                out.write(
                        failWith == null
                                ? "{\"id\":" + idText + ",\"ok\":true,\"result\":{}}\n"
                                : "{\"id\":" + idText + ",\"ok\":false,\"error\":{\"code\":\"" + failWith
                                        + "\",\"message\":\"test\"}}\n");
                answered.incrementAndGet();
                if (!in.ready() || left == 1) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the client went away, or the server closed: nothing to answer
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
