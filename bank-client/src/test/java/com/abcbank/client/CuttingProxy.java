package com.abcbank.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A TCP proxy on 127.0.0.1 between the client and a real server that breaks connections on purpose: the first
 * {@code cuts} times a request line matches {@code cutAt}, it closes that client connection (and its own to the
 * server), either before the line reaches the server ({@link Where#BEFORE_REQUEST}: the request is lost) or
 * after the line was forwarded but before its reply is ({@link Where#BEFORE_REPLY}: the request ran, its answer
 * is lost). Every other line goes through unchanged, both ways, and every request line is recorded, cut or not.
 *
 * <p>Lines are matched to replies by counting, since the server answers each request line, in order: the cut
 * happens in place of the n-th reply when the n-th request line matched. Requests the client pipelined after
 * that line may have reached the server too: exactly what a real break does.
 *
 * <p>Two daemon threads per connection (one each way) and one accepting; closing the proxy closes every socket.
 */
final class CuttingProxy implements AutoCloseable {
    enum Where {
        BEFORE_REQUEST,
        BEFORE_REPLY
    }

    private final int serverPort;
    private final Predicate<String> cutAt;
    private final Where where;
    private final AtomicInteger cutsLeft;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger cutsMade = new AtomicInteger();

    CuttingProxy(int serverPort, Predicate<String> cutAt, Where where, int cuts) throws IOException {
        this.serverPort = serverPort;
        this.cutAt = cutAt;
        this.where = where;
        this.cutsLeft = new AtomicInteger(cuts);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon("proxy-accept", this::acceptLoop);
    }

    /** A proxy that only forwards and records. */
    static CuttingProxy passThrough(int serverPort) throws IOException {
        return new CuttingProxy(serverPort, line -> false, Where.BEFORE_REPLY, 0);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Every request line clients sent, in the order the proxy read them. */
    List<String> requestLines() {
        return List.copyOf(requestLines);
    }

    int connections() {
        return connections.get();
    }

    int cutsMade() {
        return cutsMade.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                sockets.add(client);
                Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
                sockets.add(server);
                connections.incrementAndGet();
                Connection connection = new Connection(client, server);
                daemon("proxy-up", connection::up);
                daemon("proxy-down", connection::down);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** One client connection and the proxy's connection to the server on its behalf. */
    private final class Connection {
        private final Socket client;
        private final Socket server;
        /** The index of the reply to swallow (and cut instead), or -1. Set before its request is forwarded. */
        private final AtomicLong cutAtReply = new AtomicLong(-1);

        Connection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        /** Client to server, a line at a time. */
        void up() {
            try (BufferedReader in = reader(client)) {
                OutputStream out = server.getOutputStream();
                long index = 0;
                for (String line = in.readLine(); line != null; line = in.readLine(), index++) {
                    requestLines.add(line);
                    boolean cut = cutAtReply.get() < 0
                            && cutAt.test(line)
                            && cutsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
                    if (cut && where == Where.BEFORE_REQUEST) {
                        cutsMade.incrementAndGet();
                        closeBoth();
                        return;
                    }
                    if (cut) {
                        cutAtReply.set(index);
                    }
                    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                server.shutdownOutput(); // the client is done: let the server finish and close its side
            } catch (IOException e) {
                closeBoth(); // one side went away: so does the other
            }
        }

        /** Server to client, a line at a time, swallowing the reply to cut at. */
        void down() {
            try (BufferedReader in = reader(server)) {
                OutputStream out = client.getOutputStream();
                long index = 0;
                for (String line = in.readLine(); line != null; line = in.readLine(), index++) {
                    if (index == cutAtReply.get()) {
                        cutsMade.incrementAndGet();
                        closeBoth();
                        return;
                    }
                    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (IOException e) {
                // one side went away
            }
            closeBoth();
        }

        private void closeBoth() {
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true); // a stuck proxy must not hang the build
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // best effort: the point is that it is closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(CuttingProxy::closeQuietly);
    }
}
