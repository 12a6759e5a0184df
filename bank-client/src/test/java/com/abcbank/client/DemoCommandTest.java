package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code client demo race|deadlock}: runs with no USER and no server, prints its figures, parses as JSON. */
@Timeout(60)
class DemoCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    private CliRunner.Run run(String... args) {
        return CliRunner.run(Map.of(), home, args);
    }

    @Test
    void racePrintsMeasuredTotalsAndTheirDifference() {
        CliRunner.Run run = run("demo", "race", "--threads", "8", "--operations", "200", "--window-us", "200");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(
                run.out().startsWith("race: 8 threads, 3 accounts, 200 operations per thread, window 200 us"),
                run.out());
        for (String row : new String[] {"expected total", "actual total", "lost (-) / created (+)"}) {
            assertTrue(run.out().contains(row), row + " missing:\n" + run.out());
        }
        // The table's own figures add up: actual - expected = difference, in each column.
        long[] expected = money(run.out(), "expected total");
        long[] actual = money(run.out(), "actual total");
        long[] difference = money(run.out(), "lost \\(-\\) / created \\(\\+\\)");
        for (int column = 0; column < 2; column++) {
            assertEquals(actual[column] - expected[column], difference[column], run.out());
        }
        assertNotEquals(0, difference[0], "the unsafe ledger lost nothing with a 200 us window:\n" + run.out());
        assertEquals(0, difference[1], run.out());
        assertTrue(run.out().contains("safe: expected and actual totals match"), run.out());
    }

    @Test
    void raceJsonParses() throws Exception {
        CliRunner.Run run = run("demo", "race", "--operations", "50", "--seed", "9", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode figures = JSON.readTree(run.out());
        assertEquals(8, figures.get("threads").asInt());
        assertEquals(9, figures.get("seed").asLong());
        for (String ledger : new String[] {"unsafe", "safe"}) {
            JsonNode run1 = figures.get(ledger);
            assertEquals(400, run1.get("operations").asLong());
            assertEquals(
                    run1.get("actual_cents").asLong()
                            - run1.get("expected_cents").asLong(),
                    run1.get("difference_cents").asLong());
        }
        assertTrue(figures.get("safe").get("conserved").asBoolean());
    }

    @Test
    void deadlockShowsBothThreadsAndLocksAndTheOrderedRun() {
        CliRunner.Run run = run("demo", "deadlock");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("detected: yes"), run.out());
        assertTrue(
                Pattern.compile("(?m)^lab-transfer-1-to-2 +account 1 +account 2 +lab-transfer-2-to-1 ")
                        .matcher(run.out())
                        .find(),
                run.out());
        assertTrue(
                Pattern.compile("(?m)^lab-transfer-2-to-1 +account 2 +account 1 +lab-transfer-1-to-2 ")
                        .matcher(run.out())
                        .find(),
                run.out());
        assertTrue(run.out().contains("both transfers completed"), run.out());
        assertTrue(run.out().contains("balances 950.00 and 1,050.00"), run.out());
    }

    @Test
    void deadlockJsonParses() throws Exception {
        CliRunner.Run run = run("--json", "demo", "deadlock");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode figures = JSON.readTree(run.out());
        assertTrue(figures.get("detected").asBoolean());
        assertEquals(2, figures.get("stuck").size());
        assertTrue(figures.get("ordered_completed").asBoolean());
        assertEquals(200_000, figures.get("total_after_cents").asLong());
    }

    @Test
    void aUserOrABadOptionIsAUsageError() {
        CliRunner.Run withUser = run("Alice", "demo", "race");
        assertEquals(ExitCodes.USAGE, withUser.exitCode());
        assertTrue(withUser.err().startsWith("error: demo takes no USER"), withUser.err());

        CliRunner.Run badThreads = run("demo", "race", "--threads", "0");
        assertEquals(ExitCodes.USAGE, badThreads.exitCode());
        assertTrue(badThreads.err().startsWith("error: --threads must be 1 to 64: 0"), badThreads.err());
        assertTrue(badThreads.err().contains("Try 'client demo race --help'"), badThreads.err());

        CliRunner.Run none = run("demo");
        assertEquals(ExitCodes.USAGE, none.exitCode());
        assertTrue(none.err().contains("race or deadlock"), none.err());
    }

    @Test
    void helpListsDemoWithoutAUser() {
        CliRunner.Run help = run("--help");
        assertTrue(help.out().contains("  demo "), help.out());
        assertTrue(help.out().contains("client demo race|deadlock"), help.out());
        CliRunner.Run race = run("demo", "race", "--help");
        assertEquals(0, race.exitCode());
        assertTrue(race.out().startsWith("Usage: client demo race "), race.out());
        assertTrue(race.out().contains("--window-us"), race.out());
    }

    /** The two money cells of the row named {@code label}, in cents. */
    private static long[] money(String out, String label) {
        Matcher m = Pattern.compile("(?m)^" + label + " +(-?\\+?[\\d,]+\\.\\d\\d) +(-?\\+?[\\d,]+\\.\\d\\d)$")
                .matcher(out);
        assertTrue(m.find(), label + " not found in:\n" + out);
        return new long[] {cents(m.group(1)), cents(m.group(2))};
    }

    private static long cents(String money) {
        return Long.parseLong(money.replace(",", "").replace(".", "").replace("+", ""));
    }
}
