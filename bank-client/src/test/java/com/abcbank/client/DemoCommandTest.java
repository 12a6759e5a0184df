package com.abcbank.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.lab.ContentionLab;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code client demo race|deadlock|contention}: runs with no USER and no server, prints its figures, parses as JSON. */
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
        assertTrue(none.err().contains("race, deadlock or contention"), none.err());
    }

    /**
     * Both runs, a timeline row per worker. The one-account rows must show waiting: four workers leave one start
     * gate and only one can hold the lock, so the others ask for it while it is held 5 ms (and for the second
     * operations too); none waiting would need three workers each to oversleep a whole 5 ms hold.
     */
    @Test
    void contentionPrintsBothRunsAsTimelines() {
        CliRunner.Run run = run("demo", "contention", "--threads", "4", "--operations", "2", "--hold-us", "5000");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(
                run.out()
                        .startsWith("contention: 4 threads, 2 operations per thread, each holding its account's"
                                + " lock 5000 us"),
                run.out());
        String[] runs = Pattern.compile("\\R\\R").split(run.out(), -1);
        assertEquals(4, runs.length, run.out()); // header, one account, separate accounts, legend
        assertTrue(runs[1].startsWith("one account (A): "), run.out());
        assertTrue(runs[2].startsWith("separate accounts (A, B, C, D): "), run.out());
        Pattern row = Pattern.compile("(?m)^  worker-([1-4]) \\|([#. ]{" + DemoContentionCommand.WIDTH + "})\\|$");
        for (int r = 1; r <= 2; r++) {
            Matcher m = row.matcher(runs[r]);
            int rows = 0;
            StringBuilder marks = new StringBuilder();
            while (m.find()) {
                rows++;
                assertTrue(m.group(2).contains("#"), "worker-" + m.group(1) + " never held:\n" + run.out());
                marks.append(m.group(2));
            }
            assertEquals(4, rows, run.out());
            if (r == 1) {
                assertTrue(marks.indexOf(".") >= 0, "nobody waited on one account:\n" + run.out());
            }
        }
        assertTrue(run.out().contains("legend: # holding the lock, . waiting for it"), run.out());
    }

    @Test
    void contentionTimelinePaintsWaitsThenHolds() {
        ContentionLab.Run run = new ContentionLab.Run(
                ContentionLab.ONE_ACCOUNT,
                List.of("A"),
                60,
                List.of(
                        new ContentionLab.Interval("worker-1", "A", 0, 0, 30),
                        new ContentionLab.Interval("worker-2", "A", 0, 30, 60),
                        new ContentionLab.Interval("worker-3", "A", 59, 59, 59))); // shorter than a column
        Map<String, char[]> rows = DemoContentionCommand.timeline(run, 1);
        assertEquals(List.of("worker-1", "worker-2", "worker-3"), List.copyOf(rows.keySet()));
        assertEquals("#".repeat(30) + " ".repeat(30), new String(rows.get("worker-1")));
        assertEquals(".".repeat(30) + "#".repeat(30), new String(rows.get("worker-2")));
        assertEquals(" ".repeat(59) + "#", new String(rows.get("worker-3")));
        // Two microseconds a column: a hold over 30..60 covers columns 15..29.
        assertEquals(
                ".".repeat(15) + "#".repeat(15) + " ".repeat(30),
                new String(DemoContentionCommand.timeline(run, 2).get("worker-2")));
    }

    @Test
    void contentionJsonIsTheReport() throws Exception {
        CliRunner.Run run =
                run("demo", "contention", "--threads", "3", "--operations", "4", "--hold-us", "100", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode report = JSON.readTree(run.out());
        assertEquals(3, report.get("settings").get("threads").asInt());
        assertEquals(100, report.get("settings").get("hold_micros").asInt());
        JsonNode runs = report.get("runs");
        assertEquals(2, runs.size());
        assertEquals("one account", runs.get(0).get("name").asText());
        assertEquals("separate accounts", runs.get(1).get("name").asText());
        assertEquals(3, runs.get(1).get("accounts").size());
        for (JsonNode r : runs) {
            assertEquals(12, r.get("intervals").size());
            for (JsonNode i : r.get("intervals")) {
                assertTrue(
                        i.get("acquired_micros").asLong()
                                >= i.get("requested_micros").asLong(),
                        i.toString());
                assertTrue(
                        i.get("released_micros").asLong()
                                        - i.get("acquired_micros").asLong()
                                >= 100,
                        i.toString());
                assertTrue(
                        i.get("released_micros").asLong()
                                <= r.get("elapsed_micros").asLong(),
                        i.toString());
            }
        }
    }

    @Test
    void contentionBadSettingsAreUsageErrors() {
        CliRunner.Run badThreads = run("demo", "contention", "--threads", "17");
        assertEquals(ExitCodes.USAGE, badThreads.exitCode());
        assertTrue(badThreads.err().startsWith("error: --threads must be 1 to 16: 17"), badThreads.err());
        assertTrue(badThreads.err().contains("Try 'client demo contention --help'"), badThreads.err());

        CliRunner.Run badHold = run("demo", "contention", "--hold-us", "-1");
        assertEquals(ExitCodes.USAGE, badHold.exitCode());
        assertTrue(badHold.err().startsWith("error: --hold-us must be 0 to 100000: -1"), badHold.err());

        CliRunner.Run tooLong =
                run("demo", "contention", "--threads", "16", "--operations", "50", "--hold-us", "100000");
        assertEquals(ExitCodes.USAGE, tooLong.exitCode());
        assertTrue(
                tooLong.err().startsWith("error: --threads * --operations * --hold-us must be at most 5000000 us"),
                tooLong.err());

        CliRunner.Run withUser = run("Alice", "demo", "contention");
        assertEquals(ExitCodes.USAGE, withUser.exitCode());
        assertTrue(withUser.err().startsWith("error: demo takes no USER"), withUser.err());
    }

    @Test
    void helpListsDemoWithoutAUser() {
        CliRunner.Run help = run("--help");
        assertTrue(help.out().contains("  demo "), help.out());
        assertTrue(help.out().contains("client demo race|deadlock|contention"), help.out());
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
