// A do-nothing server of ABC Bank's shape, the floor of cost that scripts/bench_compare.sh measures the bank
// against: a thread per connection reads a line and answers it at once, doing no work at all.
//
//   java scripts/NullServer.java PORT_FILE MAX_LIFETIME_SECONDS
//
// Listens on 127.0.0.1 on a free port, writes the port to PORT_FILE (atomically, like bank-server
// --port-file), and answers every line with {"id":<the request's id as sent, or null>,"ok":true,"result":{}}.
// A single-file program (JEP 330), so the script needs nothing but a JDK.
//
// Why it is shaped like this: it is the bank's Connection with the bank taken out, so that "ABC Bank / this
// server" says how much of the per-request cost is the bank's own work and how much is the thread, the socket
// and the wake-ups that any server of this shape pays. Hence the same choices as the bank: a platform thread
// per connection, a buffered stream read byte by byte up to a newline, and a flush only once no further
// request is already waiting (so a pipelined burst is answered in few writes). It must do less than the bank,
// never more: no JSON library, only a short bounded scan for the "id" member, whose value is copied back
// byte for byte.
//
// Bounded: a line over MAX_LINE_BYTES closes its connection; at most MAX_CONNECTIONS are served at once (the
// next ones are closed at accept); the process exits by itself after MAX_LIFETIME_SECONDS, and at once on
// SIGTERM (the JVM's default: the threads are daemons, nothing needs finishing).

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Semaphore;

class NullServer {
    /** The bank's default --max-line-bytes. */
    static final int MAX_LINE_BYTES = 65_536;
    /** Longest id copied back; a longer one is answered as null, like an absent one. */
    static final int MAX_ID_BYTES = 256;
    /** The bank's default --max-connections. */
    static final int MAX_CONNECTIONS = 256;
    /** How often the accept loop looks at the clock, to honour the lifetime. */
    static final int ACCEPT_POLL_MS = 500;
    static final int BUFFER_BYTES = 64 * 1024;

    static final byte[] REPLY_HEAD = "{\"id\":".getBytes(StandardCharsets.US_ASCII);
    static final byte[] REPLY_TAIL = ",\"ok\":true,\"result\":{}}\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);
    static final byte[] ID_KEY = "\"id\"".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java scripts/NullServer.java PORT_FILE MAX_LIFETIME_SECONDS");
            System.exit(2);
        }
        Path portFile = Path.of(args[0]);
        long lifetimeSeconds = Long.parseLong(args[1]);
        if (lifetimeSeconds < 1 || lifetimeSeconds > 86_400) {
            System.err.println("MAX_LIFETIME_SECONDS must be 1 to 86400: " + lifetimeSeconds);
            System.exit(2);
        }
        long deadlineNanos = System.nanoTime() + lifetimeSeconds * 1_000_000_000L;
        Semaphore slots = new Semaphore(MAX_CONNECTIONS);
        try (ServerSocket listener = new ServerSocket(0, MAX_CONNECTIONS, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(ACCEPT_POLL_MS);
            writePort(portFile, listener.getLocalPort());
            System.err.println("null server on 127.0.0.1:" + listener.getLocalPort() + " for at most "
                    + lifetimeSeconds + " s");
            while (System.nanoTime() - deadlineNanos < 0) {
                Socket socket;
                try {
                    socket = listener.accept();
                } catch (SocketTimeoutException e) {
                    continue; // look at the clock
                }
                if (!slots.tryAcquire()) {
                    socket.close(); // over the limit: refuse, as the bank does
                    continue;
                }
                Thread thread = new Thread(() -> serve(socket, slots), "conn-" + socket.getPort());
                thread.setDaemon(true); // the lifetime and SIGTERM end the process, whatever a client does
                thread.start();
            }
        }
        System.err.println("null server: lifetime of " + lifetimeSeconds + " s reached, exiting");
        System.exit(0);
    }

    /** Writes the port beside the file, then renames it, so a reader never sees a partial number. */
    static void writePort(Path portFile, int port) throws IOException {
        Path temporary = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(temporary, port + "\n");
        Files.move(temporary, portFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static void serve(Socket socket, Semaphore slots) {
        try (Socket s = socket) {
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream(), BUFFER_BYTES);
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), BUFFER_BYTES);
            byte[] line = new byte[MAX_LINE_BYTES];
            while (true) {
                int length = readLine(in, line);
                if (length < 0) {
                    out.flush();
                    return; // the client closed, or sent a line over the limit
                }
                out.write(REPLY_HEAD);
                writeId(out, line, length);
                out.write(REPLY_TAIL);
                if (in.available() == 0) {
                    out.flush(); // nothing more already sent: answer now; else the next reply joins this write
                }
            }
        } catch (IOException e) {
            // a client that resets its connection ends only its own thread
        } finally {
            slots.release();
        }
    }

    /** Reads one line without its newline into {@code line}; -1 at end of stream or if it does not fit. */
    static int readLine(InputStream in, byte[] line) throws IOException {
        int length = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                return -1;
            }
            if (b == '\n') {
                return length > 0 && line[length - 1] == '\r' ? length - 1 : length;
            }
            if (length == line.length) {
                return -1;
            }
            line[length++] = (byte) b;
        }
    }

    /**
     * Copies the value of the first {@code "id"} member back as sent: a string up to its closing quote, or
     * anything else up to the next ',' or '}'. A deliberately naive scan (a key "id" inside a nested object
     * or a string would fool it); ABC Bank's clients put the id first, and the point is to cost nothing.
     */
    static void writeId(OutputStream out, byte[] line, int length) throws IOException {
        int key = indexOf(line, length, ID_KEY);
        int i = key < 0 ? length : skipSpaces(line, length, key + ID_KEY.length);
        if (i >= length || line[i] != ':') {
            out.write(NULL);
            return;
        }
        int start = skipSpaces(line, length, i + 1);
        int end = start;
        if (start < length && line[start] == '"') {
            end = start + 1;
            while (end < length && line[end] != '"') {
                end += line[end] == '\\' ? 2 : 1;
            }
            end = Math.min(end + 1, length);
        } else {
            while (end < length && line[end] != ',' && line[end] != '}' && line[end] != ' ') {
                end++;
            }
        }
        if (end == start || end - start > MAX_ID_BYTES) {
            out.write(NULL);
        } else {
            out.write(line, start, end - start);
        }
    }

    static int skipSpaces(byte[] line, int length, int from) {
        int i = from;
        while (i < length && (line[i] == ' ' || line[i] == '\t')) {
            i++;
        }
        return i;
    }

    static int indexOf(byte[] line, int length, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (line[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private NullServer() {}
}
