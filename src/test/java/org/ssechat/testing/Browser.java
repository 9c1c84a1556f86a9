package org.ssechat.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium, headless, driven through its own chromedriver: naming both executables
 * keeps Selenium Manager from downloading anything. Its temporary, config and cache folders
 * are under target/. Without Chromium the test fails under CI ({@code CI=true}) and is skipped,
 * saying why, elsewhere.
 */
public final class Browser implements AutoCloseable {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private final ChromeDriver driver;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    public static Browser start() throws Exception {
        return start(new String[0]);
    }

    /** @param extraArguments more Chromium flags (say, the one certificate an HTTPS test trusts) */
    public static Browser start(String... extraArguments) throws Exception {
        requireInstalled(CHROMIUM, "chromium");
        requireInstalled(CHROMEDRIVER, "chromium-driver");
        Path home = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "chromium-");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .withEnvironment(Map.of(
                        "TMPDIR", home.toString(),
                        "XDG_CONFIG_HOME", home.resolve("config").toString(),
                        "XDG_CACHE_HOME", home.resolve("cache").toString()))
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--window-size=900,700",
                // two windows side by side must both stay awake
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows",
                "--user-data-dir=" + home.resolve("profile"));
        options.addArguments(extraArguments);
        return new Browser(new ChromeDriver(service, options));
    }

    /**
     * Starts {@code count} browsers at once, each with its own profile (so, to the server, its own
     * person): their start-ups, seconds each, overlap. If one fails to start, those that did are
     * closed and the first failure is thrown (a skip where Chromium is missing outside CI).
     */
    public static List<Browser> startSeveral(int count) throws Exception {
        ExecutorService starting = Executors.newFixedThreadPool(count);
        try {
            List<Future<Browser>> starts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                starts.add(starting.submit(() -> start()));
            }
            List<Browser> started = new ArrayList<>();
            Throwable failure = null;
            for (Future<Browser> start : starts) {
                try {
                    started.add(start.get());
                } catch (ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                }
            }
            if (failure != null) {
                Teardown.close(started.toArray(AutoCloseable[]::new));
                if (failure instanceof Exception exception) {
                    throw exception;
                }
                throw (Error) failure;
            }
            return started;
        } finally {
            starting.shutdownNow();
        }
    }

    /**
     * A browser test needs both executables: under CI ({@code CI=true}) a missing one fails the
     * test, elsewhere it skips it, naming the Debian package to install.
     */
    private static void requireInstalled(String executable, String debianPackage) {
        RequiredTool.find(executable + " is missing: apt-get install chromium chromium-driver (" + debianPackage
                + " provides it); .ci/run installs both", executable);
    }

    public WebDriver driver() {
        return driver;
    }

    /**
     * Gives the page a viewport of exactly width x height CSS pixels, as a phone's screen would
     * (a window's size includes its frame, and headless Chromium keeps windows at least 500 wide).
     */
    public void viewport(int width, int height) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
    }

    /** Waits up to 15 s for a condition; fails the test with {@code what} if it does not come. */
    public <T> T await(String what, Function<WebDriver, T> condition) {
        return await(what, Duration.ofSeconds(15), condition);
    }

    /** Waits up to {@code timeout} for a condition; fails the test with {@code what} if it does not come. */
    public <T> T await(String what, Duration timeout, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout).withMessage(what).until(condition);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
