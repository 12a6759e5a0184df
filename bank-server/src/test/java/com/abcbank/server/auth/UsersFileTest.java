package com.abcbank.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.ledger.Outcome;
import com.abcbank.protocol.Scram;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The users file is read back field by field; a line with a field too many is damage, refused at start. A file of
 * the earlier format (PBKDF2 password hashes) is migrated to SCRAM verifiers on start, and the passwords still work.
 */
class UsersFileTest {
    @TempDir
    Path dataDir;

    @Test
    void anUntouchedFileLoadsBack() throws IOException {
        open();
        assertEquals(1, open().size(), "the auditor, read back");
    }

    @Test
    void aTrailingEmptyFieldIsRefusedNotDropped() throws IOException {
        open();
        Path file = dataDir.resolve(Users.FILE);
        String line = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(line.endsWith("\n"));
        Files.writeString(file, line.substring(0, line.length() - 1) + " \n", StandardCharsets.UTF_8);
        IllegalStateException e = assertThrows(IllegalStateException.class, this::open);
        assertTrue(e.getMessage().endsWith("line 1 is not a user record"), e.getMessage());
    }

    @Test
    void aFileOfPasswordHashesIsMigratedToScramVerifiersAndThePasswordsStillLogIn() throws Exception {
        // Written as the server before SCRAM wrote it: v1 NAME ROLE ITERATIONS SALT PBKDF2-HMAC-SHA256(password).
        byte[] salt = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec("alice-password".toCharArray(), salt, 5000, 256))
                .getEncoded();
        Base64.Encoder b64 = Base64.getEncoder();
        Files.writeString(
                dataDir.resolve(Users.FILE),
                String.join(" ", "v1", "Alice", "CUSTOMER", "5000", b64.encodeToString(salt), b64.encodeToString(hash))
                        + "\n",
                StandardCharsets.UTF_8);

        Users users = open();

        String file = Files.readString(dataDir.resolve(Users.FILE), StandardCharsets.UTF_8);
        assertTrue(file.lines().allMatch(line -> line.startsWith("v2 ")), file);
        assertFalse(file.contains(b64.encodeToString(hash)), "the old hash (SCRAM's SaltedPassword) is gone");
        assertTrue(login(users, "Alice", "alice-password"), "the password of before logs in");
        assertFalse(login(users, "Alice", "wrong-password"));
        assertTrue(login(open(), "Alice", "alice-password"), "and again after a restart on the migrated file");
    }

    /** A whole SCRAM login against {@code users}, from this machine: whether it succeeded. */
    private static boolean login(Users users, String user, String password) throws Exception {
        Scram.ClientExchange client = Scram.ClientExchange.withPassword(user, password.toCharArray());
        Outcome<Users.Challenge> first = users.start(client.clientFirst(), InetAddress.getLoopbackAddress());
        assertTrue(first.isOk(), first::message);
        Outcome<Users.LoggedIn> last =
                users.finish(first.value(), client.clientFinal(first.value().serverFirst()));
        if (last.isOk()) {
            client.checkServerFinal(last.value().serverFinal());
        }
        return last.isOk();
    }

    private Users open() throws IOException {
        return Users.open(
                dataDir, 4096, Clock.systemUTC(), new PrintStream(new ByteArrayOutputStream(), true, "UTF-8"));
    }
}
