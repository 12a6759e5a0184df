package com.abcbank.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The users file is read back field by field; a line with a field too many is damage, refused at start. */
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

    private Users open() throws IOException {
        return Users.open(dataDir, 1, Clock.systemUTC(), new PrintStream(new ByteArrayOutputStream(), true, "UTF-8"));
    }
}
