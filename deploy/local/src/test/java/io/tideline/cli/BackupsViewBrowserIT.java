package io.tideline.cli;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.postgres.PostgresTls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideline.core.secrets.SecretRef;
import io.tideline.platform.local.postgres.LocalPostgresConfig;
import io.tideline.platform.local.postgres.LocalPostgresProvisioner;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.processes.PostgresWatchdog;
import io.tideline.runtime.EmbeddedRuntime;
import io.tideline.runtime.ManagedInstances;
import io.tideline.runtime.RuntimeHome;
import io.tideline.runtime.RuntimeOptions;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Backups view in a real browser (Debian's Chromium through its chromedriver, never a downloaded one)
 * against the real embedded runtime: a person opens the view, reads an instance's history and window, is
 * refused a bad name and a moment outside the window by the form (and, when the form is bypassed, shown
 * the server's reason), chooses a moment, confirms, watches the restore, follows the link to the new
 * instance (whose rows are those of the moment), and restores that one in turn; at 420 px nothing scrolls
 * sideways. Screenshots of each page go to {@code target/screenshots/}.
 */
class BackupsViewBrowserIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SHOTS = Path.of("target", "screenshots");
    private static final Duration RESTORE_DEADLINE = Duration.ofMinutes(4);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Cli CLI = Cli.patient();

    private static Path home;
    private static Path profile;
    private static EmbeddedRuntime runtime;
    private static PostgresWatchdog watchdog;
    private static ChromeDriverService service;
    private static WebDriver browser;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Debian's chromium and chromium-driver are needed (scripts/install-prereqs.sh installs them)");
        home = Files.createTempDirectory("tideline-view-");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        LocalPostgresConfig postgres = LocalPostgresConfig.defaults(home);
        watchdog = PostgresWatchdog.start(postgres.instancesDir(), postgres.binDir().resolve("pg_ctl"),
                new LocalPostgresProvisioner(postgres, new DirectorySecretStore(home.resolve("secrets")), Clock.systemUTC()).serverUser(),
                home.resolve("logs").resolve("test-postgres-watchdog.log"));
        runtime = EmbeddedRuntime.start(new RuntimeHome(home), RuntimeOptions.defaults().withWalFlushInterval(Duration.ofSeconds(2)),
                Clock.systemUTC(), line -> { });
        base = runtime.info().api().toString().replaceAll("/$", "");
        assertTrue(base.startsWith("https://127.0.0.1:"), "the view is served over HTTPS: " + base);

        // The driver's path is given, so Selenium Manager never looks for (or downloads) a driver or a browser.
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        profile = Files.createTempDirectory("tideline-view-chromium-");
        // HTTPS (issue 14.1): Chromium trusts the Tideline CA through an NSS database of its own (Chromium on Linux
        // reads $HOME/.pki/nssdb), so the view's certificate and its name are checked as for any site.
        Path nssHome = profile.resolve("home");
        trustTheCa(nssHome, io.tideline.runtime.RuntimeTls.caFile(runtime.home()));
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .withEnvironment(Map.of("HOME", nssHome.toString())).build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1280,1000");
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SHOTS);
    }

    /** {@code certutil}: a new NSS database in {@code home}/.pki/nssdb that trusts {@code ca} to name web servers. */
    private static void trustTheCa(Path home, Path ca) throws Exception {
        Path db = home.resolve(".pki").resolve("nssdb");
        Files.createDirectories(db);
        run("certutil", "-N", "-d", "sql:" + db, "--empty-password");
        run("certutil", "-A", "-d", "sql:" + db, "-n", "tideline-ca", "-t", "C,,", "-i", ca.toString());
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor() == 0, String.join(" ", command) + ": " + out
                + " (certutil comes with libnss3-tools: scripts/install-prereqs.sh)");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
            if (service != null) {
                service.stop();
            }
        } finally {
            try {
                if (runtime != null) {
                    runtime.close();
                }
                if (home != null) {
                    ManagedInstances.of(new RuntimeHome(home)).stopAll();
                    ManagedInstances.of(new RuntimeHome(home)).destroyAll();
                }
            } finally {
                if (watchdog != null) {
                    watchdog.close();
                }
                for (Path dir : new Path[] {home, profile}) {
                    if (dir != null) {
                        try (Stream<Path> paths = Files.walk(dir)) {
                            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                        }
                    }
                }
            }
        }
    }

    @Test
    void restoreToAMomentFromTheViewAndAgainFromTheRestoredInstance() throws Exception {
        step("started");
        // An instance with rows; creating it asks for its first (daily) backup.
        CLI.run(home, "instance", "create", "store").assertOk();
        JsonNode store = instance("store");
        String storeId = store.get("id").asText();
        execute(store, "CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL)",
                "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 3000) g");

        step("instance created");
        // "/" of the service is the view; the list shows the instance's state, last backup and window.
        // Issue 14.2: nobody is signed in, so the view sends the browser to its sign-in form; a wrong password is
        // refused there; the first admin (password in the home's 0600 file) signs in and lands where it wanted to go.
        browser.get(base + "/");
        untilPresent(By.id("signin"), false);
        assertTrue(browser.getCurrentUrl().contains("/login?next="), browser.getCurrentUrl());
        signIn("admin", "not-the-password");
        assertTrue(text("signin-error").contains("Wrong user name or password"), browser.getPageSource());
        signIn("admin", Files.readAllLines(new RuntimeHome(home).adminPasswordFile()).get(0));
        untilPresent(By.id("signed-in-as"), false);
        assertTrue(browser.getCurrentUrl().endsWith("/backups"), browser.getCurrentUrl());
        assertEquals("admin", text("signed-in-as"));
        WebElement row = until(By.cssSelector("tr[data-instance='" + storeId + "']"),
                e -> e.findElement(By.className("badge")).getText().equals("restorable"));
        assertFalse(browser.getPageSource().contains("Instance id"), "the id does not repeat the name");
        shot("01-instances");

        // The instance page: its history (with the reason) and its window; "back up now" asks for another backup.
        row.findElement(By.linkText("store")).click();
        WebElement backupRow = until(By.cssSelector("tr[data-backup]"), e -> e.findElement(By.className("badge")).getText().equals("restorable"));
        assertTrue(backupRow.getText().contains("daily"), backupRow.getText());
        assertTrue(!Instant.parse(text("window-from")).isAfter(Instant.parse(text("window-to"))), "the window is not inverted");
        browser.findElement(By.id("backup-now")).click();
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> text("backup-status").contains("Backup requested (on demand"));

        step("instance page read");
        // The moment to restore to: between an insert and a delete.
        execute(store, "INSERT INTO items SELECT g, 'later ' || g FROM generate_series(3001, 4000) g");
        long rowsAtTarget = count(store, "SELECT count(*) FROM items");
        Thread.sleep(300);
        Instant target = serverTime(store);
        Thread.sleep(300);
        execute(store, "DELETE FROM items WHERE id % 2 = 0");
        untilWindowReaches(target.plusSeconds(1));
        shot("02-instance");

        step("window reached the target");
        // Refused by the form: a bad name, a moment outside the window.
        type("target", target.toString());
        type("name", "Bad_Name");
        browser.findElement(By.id("review")).click();
        assertTrue(formError().contains("'Bad_Name' cannot name an instance"), formError());
        assertFalse(browser.findElement(By.id("confirm")).isDisplayed(), "no confirmation for a refused form");
        type("name", "");
        Instant before = Instant.parse(text("window-from")).minusSeconds(3600);
        type("target", before.toString());
        browser.findElement(By.id("review")).click();
        assertTrue(formError().contains("is outside the restorable window"), formError());
        shot("03-refused-in-form");

        step("refused in the form");
        // Sent anyway (the page's checks bypassed): the server's reason is shown.
        js("document.getElementById('restore-form').dataset.nameRule = '.*';");
        type("target", target.toString());
        type("name", "Bad_Name");
        confirmAndRestore();
        untilShown("'Bad_Name' cannot name an instance");
        browser.navigate().refresh();
        js("document.querySelectorAll('#ranges li').forEach(li => li.dataset.from = '2000-01-01T00:00:00Z');");
        type("target", before.toString());
        confirmAndRestore();
        untilShown("is before the restorable window");
        shot("04-refused-by-the-server");

        step("refused by the server");
        // Choose the moment, confirm, watch.
        browser.navigate().refresh();
        type("target", target.toString());
        String made = browser.findElement(By.id("name")).getAttribute("placeholder");
        browser.findElement(By.id("review")).click();
        assertTrue(browser.findElement(By.id("confirm")).isDisplayed());
        assertEquals(target.toString(), text("confirm-target"));
        assertEquals(made, text("confirm-name"), "the name shown is the name that will be made");
        shot("05-confirm");
        browser.findElement(By.id("confirm-restore")).click();
        List<String> states = followToTheEnd();
        assertEquals("completed", states.get(states.size() - 1), "states seen: " + states);
        shot("06-restored");
        List<String> history = browser.findElements(By.cssSelector("#progress ol li")).stream().map(WebElement::getText).toList();
        for (int i = 1; i < history.size(); i++) {
            assertFalse(history.get(i).substring(history.get(i).indexOf('—')).equals(history.get(i - 1).substring(history.get(i - 1).indexOf('—'))),
                    "no duplicated history line: " + history);
        }
        String restoreId = browser.findElement(By.cssSelector("#progress code")).getText();
        WebElement restoreRow = browser.findElement(By.cssSelector("tr[data-restore='" + restoreId + "']"));
        assertTrue(restoreRow.getText().contains("completed") && restoreRow.getText().contains(made), "the Restores table follows: " + restoreRow.getText());
        assertTrue(text("new-psql").startsWith("psql -h "), text("new-psql"));

        step("restored");
        // The link to the new instance; its rows are those of the moment.
        browser.findElement(By.id("new-instance-link")).click();
        assertTrue(browser.getCurrentUrl().endsWith("/backups/" + made), browser.getCurrentUrl());
        assertEquals(rowsAtTarget, count(instance(made), "SELECT count(*) FROM items"), "exactly the rows at the target");
        // The view learns the new instance's origin from the registry topic, which its own thread replays: the page
        // shows it within moments of the restore's end (read from another topic), not necessarily at once.
        untilPageShows("restored from " + storeId);

        step("rows checked");
        // The restored instance restores in turn, once its own first backup makes it restorable.
        untilPresent(By.id("window-to"), true);
        shot("07-restored-instance");
        browser.findElement(By.id("use-latest")).click();
        browser.findElement(By.id("review")).click();
        browser.findElement(By.id("confirm-restore")).click();
        List<String> again = followToTheEnd();
        assertEquals("completed", again.get(again.size() - 1), "states seen: " + again);
        // issue 14.2: the Restores table names who asked: the signed-in person, written by the server
        assertTrue(browser.findElement(By.id("restore-rows")).getText().contains("user:admin"),
                browser.findElement(By.id("restore-rows")).getText());
        shot("08-restored-again");

        step("restored again");
        // At 420 px nothing scrolls sideways.
        browser.manage().window().setSize(new Dimension(420, 900));
        for (String page : List.of("/backups", "/backups/" + storeId, "/backups/" + made)) {
            browser.get(base + page);
            untilPresent(By.tagName("main"), false);
            long overflow = ((Number) js("return document.documentElement.scrollWidth - document.documentElement.clientWidth;")).longValue();
            assertTrue(overflow <= 0, page + " at 420 px scrolls sideways by " + overflow + " px");
            shot("09-narrow" + page.replace('/', '-'));
        }

        // Signing out ends the session: the view asks to sign in again.
        browser.findElement(By.id("sign-out")).click();
        untilPresent(By.id("signin"), false);
        browser.get(base + "/backups/" + storeId);
        untilPresent(By.id("signin"), false);
        assertTrue(browser.getCurrentUrl().contains("/login?next="), browser.getCurrentUrl());
    }

    // ---------------------------------------------------------------------------------------------

    private static final long T0 = System.nanoTime();

    /** Where the time goes (the class has a CI budget): one line per step on stdout. */
    private static void step(String what) {
        System.out.printf("BackupsViewBrowserIT %6.1f s %s%n", (System.nanoTime() - T0) / 1e9, what);
    }

    private static void confirmAndRestore() {
        browser.findElement(By.id("review")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("confirm")).isDisplayed());
        browser.findElement(By.id("confirm-restore")).click();
    }

    /** Polls the live progress until the restore ends; the distinct states it showed, in order. */
    private static List<String> followToTheEnd() {
        List<String> states = new ArrayList<>();
        long deadline = System.nanoTime() + RESTORE_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            String s;
            String phase;
            try {
                // One read of the live box (it is redrawn every second).
                List<?> read = (List<?>) js("const s = document.getElementById('restore-state'), p = document.getElementById('restore-phase');"
                        + " return [s ? s.textContent : null, p ? p.textContent : null];");
                s = (String) read.get(0);
                phase = (String) read.get(1);
            } catch (StaleElementReferenceException redrawn) {
                continue;
            }
            if (s != null) {
                if (states.isEmpty() || !states.get(states.size() - 1).equals(s)) {
                    states.add(s);
                    if (s.equals("in progress") && phase != null) {
                        assertFalse(phase.contains("_"), "the phase in words: " + phase);
                        shot("05b-progress");
                    }
                }
                if (List.of("completed", "rejected", "failed").contains(s)) {
                    return states;
                }
            }
            sleep(200);
        }
        throw new AssertionError("the restore did not end within " + RESTORE_DEADLINE + "; states seen: " + states);
    }

    private static void untilWindowReaches(Instant t) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            List<WebElement> to = browser.findElements(By.id("window-to"));
            if (!to.isEmpty() && Instant.parse(to.get(0).getText()).isAfter(t)) {
                return;
            }
            sleep(1000);
            browser.navigate().refresh();
        }
        throw new AssertionError("the window never reached " + t);
    }

    /** Waits for an element that satisfies {@code test}, reloading the page (server-rendered) while there is none. */
    private static WebElement until(By by, java.util.function.Predicate<WebElement> test) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            for (WebElement e : browser.findElements(by)) {
                if (test.test(e)) {
                    return e;
                }
            }
            sleep(1000);
            browser.navigate().refresh();
        }
        throw new AssertionError("never found " + by + " as expected on " + browser.getCurrentUrl() + ":\n" + browser.getPageSource());
    }

    /** Waits for an element, reloading the page while it is not there when {@code reload} (the page is server-rendered). */
    private static WebElement untilPresent(By by, boolean reload) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            List<WebElement> found = browser.findElements(by);
            if (!found.isEmpty()) {
                return found.get(0);
            }
            sleep(500);
            if (reload) {
                browser.navigate().refresh();
            }
        }
        throw new AssertionError("never found " + by + " on " + browser.getCurrentUrl());
    }

    /** Waits until the (server-rendered) page shows {@code text}, reloading it while it does not. */
    private static void untilPageShows(String text) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!browser.getPageSource().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never shown: '" + text + "' on " + browser.getCurrentUrl() + ":\n" + browser.getPageSource());
            }
            sleep(500);
            browser.navigate().refresh();
        }
    }

    /** Waits until the form's error or the restore's status shows {@code reason}. */
    private static void untilShown(String reason) {
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(d -> (d.findElement(By.id("form-error")).getText()
                + d.findElement(By.id("restore-status")).getText()).contains(reason));
    }

    private static String formError() {
        return browser.findElement(By.id("form-error")).getText();
    }

    private static String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    /** Fills and submits the real sign-in form. */
    private static void signIn(String user, String password) {
        untilPresent(By.id("signin"), false);
        type("username", user);
        type("password", password);
        browser.findElement(By.id("signin-submit")).click();
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> !d.findElements(By.id("signed-in-as")).isEmpty()
                || !d.findElements(By.id("signin-error")).isEmpty());
    }

    private static void type(String id, String value) {
        WebElement input = browser.findElement(By.id(id));
        input.clear();
        if (!value.isEmpty()) {
            input.sendKeys(value);
        }
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static void shot(String name) {
        try {
            File png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
            Files.copy(png.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (Exception e) {
            throw new AssertionError("screenshot " + name, e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static JsonNode instance(String name) throws Exception {
        Cli.Result list = CLI.run(home, "instance", "list", "--json").assertOk();
        for (JsonNode node : JSON.readTree(list.out())) {
            if (node.get("name").asText().equals(name) || node.get("id").asText().equals(name)) {
                return node;
            }
        }
        throw new AssertionError("instance " + name + " not listed: " + list.out());
    }

    private static Connection connect(JsonNode instance) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", instance.get("user").asText());
        props.setProperty("password", new DirectorySecretStore(home.resolve("secrets")).get(SecretRef.of(instance.get("secretRef").asText())));
        // as Tideline connects: verify-full against the CA kept for the instance (the runtime makes them with TLS)
        PostgresTls.forInstance(new DirectorySecretStore(home.resolve("secrets")), InstanceId.of(instance.get("id").asText()))
                .applyTo(props);
        return DriverManager.getConnection("jdbc:postgresql://" + instance.get("host").asText() + ":"
                + instance.get("port").asInt() + "/" + instance.get("database").asText(), props);
    }

    private static void execute(JsonNode instance, String... statements) throws Exception {
        try (Connection c = connect(instance); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static long count(JsonNode instance, String sql) throws Exception {
        try (Connection c = connect(instance); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Instant serverTime(JsonNode instance) throws Exception {
        try (Connection c = connect(instance); ResultSet rs = c.createStatement().executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class).toInstant();
        }
    }
}
