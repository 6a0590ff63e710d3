package dev.switchboard.app.console;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium and chromedriver ({@code apt-get install chromium chromium-driver}), started headless. Both are
 * named by path, so Selenium Manager is never asked to find, and never downloads, a browser or a driver; a missing
 * one fails the test with the command that installs it, since CI must run these tests rather than skip them.
 * {@code CHROMIUM} and {@code CHROMEDRIVER} override the paths.
 */
final class HeadlessChromium {

    private HeadlessChromium() {
    }

    static ChromeDriver start() {
        Path browser = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        Path driver = Path.of(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver"));
        for (Path needed : new Path[] {browser, driver}) {
            if (!Files.isExecutable(needed)) {
                throw new IllegalStateException("The console's browser tests need " + needed + ": install Debian's "
                        + "browser and driver with `apt-get install -y chromium chromium-driver` (.ci/run does), or "
                        + "set CHROMIUM and CHROMEDRIVER to their paths");
            }
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.toFile());
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start. The pages come from the hub under
        // test on loopback, nothing else is visited.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1360,900", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(driver.toString()))
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(30))
                .build();
        ChromeDriver chrome = new ChromeDriver(service, options);
        chrome.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        return chrome;
    }
}
