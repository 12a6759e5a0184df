package com.abcbank.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abcbank.protocol.Request;
import com.abcbank.protocol.Result;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which {@code .ci/run}
 * installs), driven by Selenium: sign in as the auditor, watch a separate TCP client's deposit arrive, check the books
 * and verify them, run the race laboratory and read its numbers; then sign in as a customer and run a parallel batch.
 * Screenshots go to {@code bank-server/target/browser/} (the build's artifact).
 *
 * <p>Tagged {@code browser}: bank-server's {@code browser} profile runs it, and that profile is on wherever
 * {@code /usr/bin/chromedriver} exists (bank-server/pom.xml).
 */
@Tag("browser")
class ConsoleBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    static final Path SHOTS = Paths.get("target", "browser");

    @TempDir
    Path dir;

    @TempDir
    Path profile;

    private TestServer bank;
    private WebDriver browser;
    private WebDriverWait until;

    @BeforeEach
    void start() throws Exception {
        bank = TestServer.start(TestServer.config(dir).withHttp(new ServerConfig.Http(0)));
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        // As root in a container: no sandbox; the machine's network is closed, so no background connections.
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
                "--window-size=1280,900",
                "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        until = new WebDriverWait(browser, WAIT);
        Files.createDirectories(SHOTS);
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (bank != null) {
            bank.close();
        }
    }

    @Test
    void theAuditorWatchesTheBankLiveChecksTheBooksAndRunsTheRace() throws Exception {
        TestClient alice = bank.customer("Alice");
        alice.ok(new Request.CreateAccount("1001", 50_000L), Result.Tx.class);
        bank.customer("Bob").ok(new Request.CreateAccount("2002", 20_000L), Result.Tx.class);

        signIn("Audit", bank.auditPassword());
        assertTrue(text("#whoami").contains("Audit"), text("#whoami"));
        until.until(d -> "connected".equals(attr("#feed-status", "data-state"))
                || text("#feed-status").equals("connected"));

        // A separate TCP client's deposit appears live, started and done, with the transaction it made.
        Result.Tx deposit = alice.ok(new Request.Deposit("1001", 1_234L), Result.Tx.class);
        WebElement done = until.until(d -> first(".activity-row[data-phase='done'][data-tx='" + deposit.tx() + "']"));
        assertEquals("true", done.getAttribute("data-ok"));
        assertEquals("Alice", done.getAttribute("data-user"));
        assertEquals("deposit", done.getAttribute("data-op"));
        String req = done.getAttribute("data-req");
        until.until(d -> first(".activity-row[data-phase='started'][data-req='" + req + "']"));
        assertTrue(done.getText().contains("512.34"), "the balance after: " + done.getText());
        // A refusal shows with its code.
        alice.call(new Request.Withdraw("1001", 100_000_000L));
        WebElement refused =
                until.until(d -> first(".activity-row[data-phase='done'][data-code='INSUFFICIENT_FUNDS']"));
        assertEquals("false", refused.getAttribute("data-ok"));
        // The charts get their points a second apart: wait for one that counts the operations above.
        until.until(d -> (Boolean)
                ((ChromeDriver) d).executeScript("return document.querySelectorAll('#chart-ops canvas').length > 0"));
        screenshot("console-live");

        click("#tab-books");
        until.until(d -> attr("#report-balanced", "data-balanced") != null);
        assertEquals("true", attr("#report-balanced", "data-balanced"));
        assertEquals("0", attr("#report-sum", "data-cents"), "the books sum to zero");
        until.until(d -> text("#holders").contains("Bob"));
        assertTrue(text("#holders").contains("Alice"));
        click("#verify-run");
        until.until(d -> attr("#verify-result", "data-ok") != null);
        assertEquals("true", attr("#verify-result", "data-ok"), text("#verify-result"));
        until.until(d -> text("#history").contains(String.valueOf(deposit.tx())));
        screenshot("console-books");

        click("#tab-lab");
        type("#race-threads", "4");
        type("#race-accounts", "2");
        type("#race-operations", "500");
        type("#race-window", "50");
        type("#race-seed", "7");
        click("#race-run");
        WebElement safe = until.until(d -> first("#race-result [data-ledger='safe'][data-difference]"));
        WebElement unsafe = first("#race-result [data-ledger='unsafe'][data-difference]");
        assertEquals("0", safe.getAttribute("data-difference"), "the real discipline conserves money");
        assertEquals(safe.getAttribute("data-expected"), safe.getAttribute("data-actual"));
        long expected = Long.parseLong(unsafe.getAttribute("data-expected"));
        long actual = Long.parseLong(unsafe.getAttribute("data-actual"));
        assertEquals(
                actual - expected,
                Long.parseLong(unsafe.getAttribute("data-difference")),
                "the page shows the difference it measured");
        click("#deadlock-run");
        until.until(d -> attr("#deadlock-result", "data-detected") != null);
        assertEquals("true", attr("#deadlock-result", "data-detected"));
        assertEquals("true", attr("#deadlock-result", "data-ordered"));
        type("#contention-threads", "3");
        type("#contention-operations", "3");
        type("#contention-hold", "5000");
        click("#contention-run");
        until.until(d -> attr("#contention-result", "data-runs") != null);
        assertEquals("2", attr("#contention-result", "data-runs"));
        assertEquals(
                2,
                browser.findElements(By.cssSelector("#contention-result svg")).size(),
                "a timeline a run");
        screenshot("console-lab");

        click("#signout");
        until.until(d -> browser.findElement(By.id("signin-user")).isDisplayed());
    }

    @Test
    void aCustomerRunsABatchInParallelAndSeesEachFinishWithItsBalance() throws Exception {
        TestClient alice = bank.customer("Alice");
        alice.ok(new Request.CreateAccount("1001", 10_000L), Result.Tx.class);

        signIn("Alice", TestServer.PASSWORD);
        click("#tab-parallel");
        WebElement row = until.until(d -> first("#parallel-rows .parallel-row"));
        new Select(row.findElement(By.cssSelector("select.p-op"))).selectByValue("deposit");
        clearAndType(row.findElement(By.cssSelector("input.p-account")), "1001");
        clearAndType(row.findElement(By.cssSelector("input.p-amount")), "1.00");
        click("#parallel-add");
        List<WebElement> rows = browser.findElements(By.cssSelector("#parallel-rows .parallel-row"));
        WebElement second = rows.get(rows.size() - 1);
        new Select(second.findElement(By.cssSelector("select.p-op"))).selectByValue("withdraw");
        clearAndType(second.findElement(By.cssSelector("input.p-account")), "1001");
        clearAndType(second.findElement(By.cssSelector("input.p-amount")), "30.00");
        type("#parallel-times", "6");
        click("#parallel-start");

        until.until(d -> attr("#parallel-summary", "data-ok-count") != null);
        int ok = Integer.parseInt(attr("#parallel-summary", "data-ok-count"));
        int refused = Integer.parseInt(attr("#parallel-summary", "data-refused-count"));
        assertEquals(12, ok + refused, "six deposits and six withdrawals, each answered");
        List<WebElement> completed =
                browser.findElements(By.cssSelector("#parallel-log .parallel-line[data-phase='completed']"));
        List<WebElement> started =
                browser.findElements(By.cssSelector("#parallel-log .parallel-line[data-phase='started']"));
        assertEquals(12, completed.size());
        assertEquals(12, started.size());
        // 100.00 to start, six deposits of 1.00 always succeed; a withdrawal of 30.00 only while there is money.
        long balance =
                alice.ok(new Request.Balance("1001"), Result.Account.class).balance();
        long withdrawn = 10_000L + 600L - balance;
        assertEquals(0, withdrawn % 3_000L, "whole withdrawals only: " + withdrawn);
        assertEquals(6 + withdrawn / 3_000L, ok, "the page's ok count is the bank's");
        long highestShown = completed.stream()
                .map(line -> line.getAttribute("data-balance"))
                .filter(b -> b != null && !b.isEmpty())
                .mapToLong(Long::parseLong)
                .max()
                .orElseThrow();
        assertTrue(highestShown <= 10_600L, "no balance shown above what the money allows: " + highestShown);
        assertTrue(
                completed.stream().anyMatch(line -> String.valueOf(balance).equals(line.getAttribute("data-balance"))),
                "the last balance the bank has is among those shown: " + balance);
        screenshot("console-parallel");
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private void signIn(String user, String password) {
        browser.get("http://127.0.0.1:" + bank.server.httpPort() + "/");
        until.until(d -> d.findElement(By.id("signin-user")).isDisplayed());
        clearAndType(browser.findElement(By.id("signin-user")), user);
        clearAndType(browser.findElement(By.id("signin-password")), password);
        browser.findElement(By.id("signin-submit")).click();
        until.until(d -> {
            String error = text("#signin-error");
            if (!error.isEmpty()) {
                throw new AssertionError("sign-in refused: " + error);
            }
            return d.findElement(By.id("app")).isDisplayed();
        });
    }

    private WebElement first(String css) {
        List<WebElement> found = browser.findElements(By.cssSelector(css));
        return found.isEmpty() ? null : found.get(0);
    }

    private String attr(String css, String name) {
        WebElement element = first(css);
        return element == null ? null : element.getAttribute(name);
    }

    private String text(String css) {
        WebElement element = first(css);
        return element == null ? "" : element.getText();
    }

    private void click(String css) {
        until.until(d -> {
                    WebElement element = first(css);
                    return element != null && element.isDisplayed() && element.isEnabled() ? element : null;
                })
                .click();
    }

    private void type(String css, String value) {
        clearAndType(browser.findElement(By.cssSelector(css)), value);
    }

    private static void clearAndType(WebElement input, String value) {
        input.clear();
        input.sendKeys(value);
    }

    private void screenshot(String name) throws IOException {
        File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
