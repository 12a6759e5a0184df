package com.abcbank.client;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Saved passwords, in the manner of PostgreSQL's {@code ~/.pgpass}: one {@code host:port:user:password}
 * per line, where the password may instead be the SCRAM keys derived from it ({@code SCRAM-SHA-256$...}, see
 * {@link com.abcbank.protocol.Scram.ClientKeys#encode}): they log in without the costly key stretching, and are of no
 * use against any other server (the client saves keys, never a password, when it enrols a user itself), the first matching line wins, {@code *} matches any host or port, the user name matches
 * regardless of case (as on the server), {@code #} starts a comment,
 * and {@code \:} and {@code \\} stand for a colon and a backslash inside a field.
 *
 * <p>Like libpq, the file is ignored, with a warning, when group or others have any access to it: a
 * password others can read is no longer a secret, and silently using it would hide that. The client
 * creates the file with mode 600 (and its directory with 700) at creation, through the create call itself,
 * so there is no moment at which it exists with wider access.
 *
 * <p>Changes ({@link #add}, {@link #remove}) are made under an exclusive lock on a sibling
 * {@code .lock} file, so two clients enrolling at once cannot lose each other's line. Readers take no
 * lock: {@link #add} appends a whole line in one write, and {@link #remove} replaces the file by an atomic
 * rename, so a reader sees the file before or after a change, never half of it.
 */
final class CredentialsFile {
    static final String ENV = "BANK_CREDENTIALS";

    private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);
    /** A credentials file is a few lines; a huge one is a mistake (a wrong path), not something to load. */
    private static final long MAX_BYTES = 1 << 20;

    private final Path path;
    private final PrintWriter warnings;

    CredentialsFile(Path path, PrintWriter warnings) {
        this.path = path;
        this.warnings = warnings;
    }

    /**
     * {@code $BANK_CREDENTIALS}, else {@code ~/.abcbank/credentials}, where {@code ~} is {@code $HOME} as for other
     * command-line tools (sudo -u, a container, a test harness set it), and only when HOME is unset or empty
     * {@code userHome}: Java's {@code user.home} comes from the password database and ignores {@code $HOME}.
     */
    static Path defaultPath(Map<String, String> env, Path userHome) {
        String override = env.get(ENV);
        if (override != null && !override.isEmpty()) {
            return Path.of(override);
        }
        String home = env.get("HOME");
        return (home != null && !home.isEmpty() ? Path.of(home) : userHome)
                .resolve(".abcbank")
                .resolve("credentials");
    }

    Path path() {
        return path;
    }

    /** The password of the first line for {@code host:port:user}; empty if none, or if the file is unsafe or unreadable. */
    Optional<String> find(String host, int port, String user) {
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        String problem = unsafe();
        if (problem != null) {
            warnings.println("warning: ignoring credentials file " + path + ": " + problem);
            return Optional.empty();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            warnings.println(
                    "warning: ignoring credentials file " + path + ": cannot read it: " + ClientException.describe(e));
            return Optional.empty();
        }
        String portText = Integer.toString(port);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            List<String> fields = split(line);
            if (fields == null) {
                warnings.println("warning: " + path + ":" + (i + 1) + ": not host:port:user:password; line ignored");
                continue;
            }
            // User names are unique regardless of case on the server (docs/protocol.md), so here too.
            if (matches(fields.get(0), host)
                    && matches(fields.get(1), portText)
                    && fields.get(2).equalsIgnoreCase(user)) {
                return Optional.of(fields.get(3));
            }
        }
        return Optional.empty();
    }

    /**
     * Appends {@code host:port:user:password} and forces it to disk, creating the file (600) and its
     * directory (700) if needed. Refuses to write into a file others can read.
     */
    void add(String host, int port, String user, String password) throws IOException {
        String entry = entry(host, port, user, password) + "\n";
        locked(() -> {
            try {
                Files.createFile(path, permissions(OWNER_ONLY_FILE));
            } catch (FileAlreadyExistsException exists) {
                String problem = unsafe();
                if (problem != null) {
                    throw new IOException("refusing to write to " + path + ": " + problem);
                }
            }
            // A hand-edited last line without its newline must not swallow ours.
            byte[] before = Files.readAllBytes(path);
            String text = before.length > 0 && before[before.length - 1] != '\n' ? "\n" + entry : entry;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                writeAll(channel, text);
            }
        });
    }

    /** Removes the first line that is exactly this entry (one {@link #add} wrote), if there is one. */
    void remove(String host, int port, String user, String password) throws IOException {
        removeLine(entry(host, port, user, password));
    }

    /**
     * Replaces the secret of the line {@link #find} would use for {@code host:port:user} (wildcards and the user
     * name's case as written there are kept), if that secret is still {@code old}: with a new password, or the keys
     * derived from it. Whether it did.
     */
    boolean replace(String host, int port, String user, String old, String replacement) throws IOException {
        entry(host, port, user, replacement); // refuses what the format cannot hold, before anything is touched
        boolean[] found = {false};
        locked(() -> {
            List<String> lines;
            try {
                lines = new ArrayList<>(Files.readAllLines(path, StandardCharsets.UTF_8));
            } catch (NoSuchFileException gone) {
                return;
            }
            String portText = Integer.toString(port);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                List<String> fields = line.isBlank() || line.stripLeading().startsWith("#") ? null : split(line);
                if (fields != null
                        && matches(fields.get(0), host)
                        && matches(fields.get(1), portText)
                        && fields.get(2).equalsIgnoreCase(user)) {
                    if (!fields.get(3).equals(old)) {
                        return; // changed since it was read: leave it to whoever changed it
                    }
                    lines.set(
                            i,
                            escape(fields.get(0)) + ":" + escape(fields.get(1)) + ":" + escape(fields.get(2)) + ":"
                                    + escape(replacement));
                    writeLines(lines);
                    found[0] = true;
                    return;
                }
            }
        });
        return found[0];
    }

    /** Removes the first line equal to {@code entry}, if there is one. */
    private void removeLine(String entry) throws IOException {
        locked(() -> {
            List<String> lines;
            try {
                lines = new ArrayList<>(Files.readAllLines(path, StandardCharsets.UTF_8));
            } catch (NoSuchFileException gone) {
                return;
            }
            if (lines.remove(entry)) {
                writeLines(lines);
            }
        });
    }

    /** Replaces the file by {@code lines}: a new file (600), forced, renamed over it, and the directory forced. */
    private void writeLines(List<String> lines) throws IOException {
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append(line).append('\n'));
        Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, permissions(OWNER_ONLY_FILE));
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            writeAll(channel, text.toString());
        }
        Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(path.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    /** One line, with {@code :} and {@code \} escaped; refuses what the format cannot hold. */
    static String entry(String host, int port, String user, String password) {
        for (String field : List.of(host, user, password)) {
            if (field.isEmpty() || field.indexOf('\n') >= 0 || field.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("a credentials field cannot be empty or hold a line break");
            }
        }
        return escape(host) + ":" + port + ":" + escape(user) + ":" + escape(password);
    }

    /** The four fields of a line, unescaped, or null if it does not have exactly four. */
    static List<String> split(String line) {
        List<String> fields = new ArrayList<>(4);
        StringBuilder field = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                field.append(line.charAt(++i));
            } else if (c == ':' && fields.size() < 3) {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields.size() == 4 ? fields : null;
    }

    private static String escape(String field) {
        return field.replace("\\", "\\\\").replace(":", "\\:");
    }

    private static boolean matches(String pattern, String value) {
        return pattern.equals("*") || pattern.equals(value);
    }

    /** Why the file must not be used, or null if it may. */
    private String unsafe() {
        try {
            if (!Files.isRegularFile(path)) {
                return "not a regular file";
            }
            if (Files.size(path) > MAX_BYTES) {
                return "larger than " + MAX_BYTES + " bytes";
            }
            if (!posix()) {
                return null; // no POSIX modes to check (Windows): rely on the profile directory's ACL
            }
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
            if (permissions.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
                return "group or others can access it (mode " + PosixFilePermissions.toString(permissions)
                        + "); it should be 600: chmod 600 " + path;
            }
            return null;
        } catch (IOException e) {
            return "cannot check it: " + ClientException.describe(e);
        }
    }

    private interface Change {
        void run() throws IOException;
    }

    /** Runs {@code change} holding the exclusive lock on the sibling {@code .lock} file. */
    @SuppressWarnings("try") // the lock is held for its scope, never referenced
    private void locked(Change change) throws IOException {
        Path directory = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, permissions(OWNER_ONLY_DIRECTORY));
        }
        Path lockFile = path.resolveSibling(path.getFileName() + ".lock");
        try (FileChannel channel = FileChannel.open(
                        lockFile,
                        Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                        permissions(OWNER_ONLY_FILE));
                FileLock ignored = channel.lock()) {
            change.run();
        }
    }

    /** Writes all of {@code text} and forces it to disk: the password must outlive a crash. */
    private static void writeAll(FileChannel channel, String text) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        channel.force(true);
    }

    private FileAttribute<?>[] permissions(Set<PosixFilePermission> permissions) {
        return posix()
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
                : new FileAttribute<?>[0];
    }

    private boolean posix() {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
