package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsFileTest {
    @TempDir
    Path dir;

    private final StringWriter warnings = new StringWriter();

    private CredentialsFile file(Path path) {
        return new CredentialsFile(path, new PrintWriter(warnings, true));
    }

    /** A credentials file with this content and mode 600. */
    private Path written(String content) throws IOException {
        Path path = Files.writeString(dir.resolve("credentials"), content);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        return path;
    }

    @Test
    void theFirstMatchingLineWinsAndStarMatchesAnyHostOrPort() throws IOException {
        CredentialsFile credentials = file(written("""
                # comments and blank lines are skipped

                127.0.0.1:5050:Alice:exact
                127.0.0.1:5050:Alice:shadowed
                *:6000:Alice:any-host
                bank.example:*:Alice:any-port
                *:*:Bob:anywhere
                """));
        assertEquals(Optional.of("exact"), credentials.find("127.0.0.1", 5050, "Alice"));
        assertEquals(Optional.of("any-host"), credentials.find("10.1.1.1", 6000, "Alice"));
        assertEquals(Optional.of("any-port"), credentials.find("bank.example", 7, "Alice"));
        assertEquals(Optional.of("anywhere"), credentials.find("x", 1, "Bob"));
        assertEquals(Optional.empty(), credentials.find("127.0.0.1", 5051, "Alice"));
        assertEquals(
                Optional.of("exact"),
                credentials.find("127.0.0.1", 5050, "ALICE")); // names ignore case, as on the server
        assertEquals(Optional.empty(), credentials.find("127.0.0.1", 5050, "Alicia"));
        assertEquals("", warnings.toString());
    }

    @Test
    void replaceChangesTheSecretOfTheLineFindUsesKeepingItsWildcardsAndCase() throws IOException {
        Path path = written("""
                # mine
                *:*:alice:old-secret
                127.0.0.1:5050:Alice:shadowed
                """);
        CredentialsFile credentials = file(path);
        assertTrue(credentials.replace("127.0.0.1", 5050, "Alice", "old-secret", "SCRAM-SHA-256$4096:c2FsdA==$a:b"));
        assertEquals(
                "# mine\n*:*:alice:SCRAM-SHA-256$4096\\:c2FsdA==$a\\:b\n127.0.0.1:5050:Alice:shadowed\n",
                Files.readString(path));
        assertEquals(Optional.of("SCRAM-SHA-256$4096:c2FsdA==$a:b"), credentials.find("127.0.0.1", 5050, "Alice"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        assertFalse(
                credentials.replace("127.0.0.1", 5050, "Alice", "old-secret", "other"),
                "a secret changed since it was read is left alone");
    }

    @Test
    void backslashEscapesAColonOrABackslashInAField() throws IOException {
        CredentialsFile credentials = file(written("h:1:us\\:er:pa\\:ss\\\\word:with:colons\n"));
        // Past the third separator the rest of the line is the password, colons and all.
        assertEquals(Optional.of("pa:ss\\word:with:colons"), credentials.find("h", 1, "us:er"));
    }

    @Test
    void aLineWithoutFourFieldsIsIgnoredWithAWarningNamingIt() throws IOException {
        CredentialsFile credentials = file(written("""
                127.0.0.1:5050:Alice
                127.0.0.1:5050:Alice:second
                """));
        assertEquals(Optional.of("second"), credentials.find("127.0.0.1", 5050, "Alice"));
        assertTrue(warnings.toString().contains("credentials:1: not host:port:user:password"), warnings.toString());
    }

    @Test
    void aFileOthersCanReadIsIgnoredWithAWarning() throws IOException {
        Path path = written("*:*:Alice:secret\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(Optional.empty(), file(path).find("127.0.0.1", 5050, "Alice"));
        assertTrue(warnings.toString().startsWith("warning: ignoring credentials file " + path), warnings.toString());
        assertTrue(warnings.toString().contains("chmod 600"), warnings.toString());
        assertFalse(warnings.toString().contains("secret"));
    }

    @Test
    void aFileTheGroupCanWriteIsIgnoredToo() throws IOException {
        Path path = written("*:*:Alice:secret\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw--w----"));
        assertEquals(Optional.empty(), file(path).find("127.0.0.1", 5050, "Alice"));
    }

    @Test
    void aMissingFileIsSimplyAbsent() {
        assertEquals(Optional.empty(), file(dir.resolve("none")).find("127.0.0.1", 5050, "Alice"));
        assertEquals("", warnings.toString());
    }

    @Test
    void addCreatesTheDirectory700AndTheFile600() throws IOException {
        Path path = dir.resolve("home").resolve(".abcbank").resolve("credentials");
        file(path).add("127.0.0.1", 5050, "Alice", "s3cret");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path.getParent())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        assertEquals(List.of("127.0.0.1:5050:Alice:s3cret"), Files.readAllLines(path));
        assertEquals(Optional.of("s3cret"), file(path).find("127.0.0.1", 5050, "Alice"));
    }

    @Test
    void addAppendsAndEscapesAndKeepsAHandEditedLastLine() throws IOException {
        Path path = written("# mine\nh:1:Bob:bobs"); // no newline at the end
        file(path).add("h", 2, "a:b", "p\\q");
        assertEquals(List.of("# mine", "h:1:Bob:bobs", "h:2:a\\:b:p\\\\q"), Files.readAllLines(path));
        assertEquals(Optional.of("p\\q"), file(path).find("h", 2, "a:b"));
        assertEquals(Optional.of("bobs"), file(path).find("h", 1, "Bob"));
    }

    @Test
    void addRefusesAFileOthersCanRead() throws IOException {
        Path path = written("");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-r--"));
        IOException e = assertThrows(IOException.class, () -> file(path).add("h", 1, "Alice", "pw"));
        assertTrue(e.getMessage().contains("refusing to write"), e.getMessage());
        assertEquals("", Files.readString(path));
    }

    @Test
    void addRefusesWhatTheFormatCannotHold() {
        assertThrows(
                IllegalArgumentException.class, () -> file(dir.resolve("c")).add("h", 1, "Ali\nce", "pw"));
        assertFalse(Files.exists(dir.resolve("c")));
    }

    @Test
    void removeTakesOutExactlyThatEntryAndKeepsTheMode() throws IOException {
        Path path = written("# keep\nh:1:Alice:old\nh:1:Alice:new\n*:*:Bob:b\n");
        file(path).remove("h", 1, "Alice", "new");
        assertEquals(List.of("# keep", "h:1:Alice:old", "*:*:Bob:b"), Files.readAllLines(path));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        file(path).remove("h", 1, "Alice", "never-there");
        assertEquals(3, Files.readAllLines(path).size());
    }

    @Test
    void theDefaultIsUnderHomeUnlessBankCredentialsSaysOtherwise() {
        Path home = Path.of("/home/alice");
        assertEquals(home.resolve(".abcbank/credentials"), CredentialsFile.defaultPath(Map.of(), home));
        assertEquals(
                Path.of("/etc/bank/creds"),
                CredentialsFile.defaultPath(Map.of("BANK_CREDENTIALS", "/etc/bank/creds"), home));
    }

    /** Like other command-line tools, the client takes $HOME as the home; Java's user.home ignores it. */
    @Test
    void homeFromTheEnvironmentWinsOverUserHome() {
        Path userHome = Path.of("/home/alice");
        assertEquals(
                Path.of("/tmp/other/.abcbank/credentials"),
                CredentialsFile.defaultPath(Map.of("HOME", "/tmp/other"), userHome));
        assertEquals(
                Path.of("/etc/bank/creds"),
                CredentialsFile.defaultPath(
                        Map.of("HOME", "/tmp/other", "BANK_CREDENTIALS", "/etc/bank/creds"), userHome));
        assertEquals(
                userHome.resolve(".abcbank/credentials"),
                CredentialsFile.defaultPath(Map.of("HOME", ""), userHome),
                "an empty HOME is no home: fall back to user.home");
    }

    @Test
    void splitNeedsExactlyFourFields() {
        assertNull(CredentialsFile.split("a:b:c"));
        assertEquals(List.of("a", "b", "c", "d:e"), CredentialsFile.split("a:b:c:d:e"));
        assertEquals(List.of("", "", "", ""), CredentialsFile.split(":::"));
    }
}
