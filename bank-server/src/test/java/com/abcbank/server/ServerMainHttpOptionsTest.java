package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --http-port} and {@code --http-port-file} on the command line: usage errors before anything starts. */
class ServerMainHttpOptionsTest {
    @TempDir
    Path dir;

    private int run(StringWriter err, String... args) {
        CommandLine command = new CommandLine(new ServerMain.Cli());
        command.setErr(new PrintWriter(err, true));
        command.setOut(new PrintWriter(new StringWriter(), true));
        return command.execute(args);
    }

    @Test
    void anHttpPortFileWithoutAnHttpPortIsAUsageError() {
        StringWriter err = new StringWriter();
        Path data = dir.resolve("data");
        assertEquals(
                2,
                run(
                        err,
                        "--port",
                        "0",
                        "--data",
                        data.toString(),
                        "--http-port-file",
                        dir.resolve("h").toString()));
        assertTrue(err.toString().contains("--http-port-file needs --http-port"), err.toString());
        assertFalse(data.toFile().exists(), "nothing may start on a usage error");
    }

    @Test
    void anHttpPortOutOfRangeIsAUsageError() {
        StringWriter err = new StringWriter();
        Path data = dir.resolve("data");
        assertEquals(2, run(err, "--port", "0", "--data", data.toString(), "--http-port", "65536"));
        assertTrue(err.toString().contains("--http-port"), err.toString());
        assertFalse(data.toFile().exists(), "nothing may start on a usage error");
    }

    @Test
    void theHelpListsBothOptions() {
        String usage = new CommandLine(new ServerMain.Cli()).getUsageMessage();
        assertTrue(usage.contains("--http-port=PORT"), usage);
        assertTrue(usage.contains("--http-port-file"), usage);
    }
}
