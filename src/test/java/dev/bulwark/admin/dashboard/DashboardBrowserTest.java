package dev.bulwark.admin.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (Debian's headless Chromium, driven through its chromedriver) in
 * front of a real gateway: sign in, watch a refused request arrive in the live events, ban its
 * address with one click (and see the gateway refuse it), unban, sign out, with no Content Security
 * Policy violation in the console. With {@code -Ddashboard.screenshots=DIR} it writes the
 * screenshots of the docs into {@code DIR}. Skipped only on a developer machine without Chromium;
 * in CI (the {@code CI} variable set) a missing browser fails the test.
 */
class DashboardBrowserTest {
  private static final String TOKEN = "browser-test-admin-token-0123456789abcdef";
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @Test
  void anOperatorSeesARefusalBansItsAddressWithOneClickAndUnbansIt() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    Assumptions.assumeTrue(
        present || System.getenv("CI") != null,
        "Debian chromium and chromium-driver are not installed (apt-get install chromium"
            + " chromium-driver); in CI this test fails instead");
    assertThat(present)
        .as("CI must have /usr/bin/chromium and /usr/bin/chromedriver (.ci/run installs them)")
        .isTrue();
    String screenshots = System.getProperty("dashboard.screenshots");
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                admin: { token: "${env:BULWARK_ADMIN_TOKEN}" }
                routes:
                  - name: api
                    match: { path: /** }
                    upstream: UPSTREAM
                    public: true
                    limits: { body: 1KiB }
                """,
                upstream.port(),
                Map.of("BULWARK_ADMIN_TOKEN", TOKEN))) {
      String admin = "http://127.0.0.1:" + gw.gateway().adminPort();
      WebDriver driver = chromium();
      try {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));
        driver.get(admin + "/dashboard");
        wait.until(d -> String.valueOf(d.getCurrentUrl()).endsWith("/dashboard/sign-in"));
        driver.manage().window().setSize(new Dimension(900, 360));
        shot(driver, screenshots, "dashboard-sign-in.png");
        driver.manage().window().setSize(new Dimension(1400, 1500));
        driver.findElement(By.id("token")).sendKeys("not the token");
        driver.findElement(By.cssSelector("#sign-in button")).click();
        wait.until(d -> !d.findElements(By.id("error")).isEmpty());
        assertThat(driver.findElement(By.id("error")).getText()).contains("Wrong admin token");
        driver.findElement(By.id("token")).sendKeys(TOKEN);
        driver.findElement(By.cssSelector("#sign-in button")).click();
        wait.until(d -> String.valueOf(d.getCurrentUrl()).endsWith("/dashboard"));
        assertThat(driver.findElement(By.id("sign-out")).isDisplayed()).isTrue();

        // A request the gateway refuses (a body over the route's limit) appears without a reload.
        HttpResponse<String> refused =
            gw.client()
                .send(
                    HttpRequest.newBuilder(URI.create(gw.url("/upload")))
                        .POST(HttpRequest.BodyPublishers.ofString("x".repeat(4096)))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(413);
        wait.until(d -> d.findElement(By.id("events-body")).getText().contains("request-refused"));
        assertThat(driver.findElement(By.id("events-body")).getText()).contains("127.0.0.1");

        // One click bans the offending address; the gateway then refuses it.
        driver.navigate().refresh();
        driver
            .findElement(By.cssSelector("#offenders button.ban[data-address='127.0.0.1']"))
            .click();
        wait.until(d -> !d.findElements(By.id("flash")).isEmpty());
        assertThat(driver.findElement(By.id("flash")).getText())
            .isEqualTo("Banned 127.0.0.1 for 1h.");
        assertThat(driver.findElement(By.id("bans-body")).getText()).contains("127.0.0.1", "admin");
        assertThat(gw.get("/anything").statusCode()).isEqualTo(403);
        shot(driver, screenshots, "dashboard.png");

        driver.findElement(By.cssSelector("#bans button.unban[data-address='127.0.0.1']")).click();
        wait.until(d -> d.findElement(By.id("flash")).getText().equals("Unbanned 127.0.0.1."));
        assertThat(driver.findElement(By.id("bans-body")).getText()).contains("No active ban");
        assertThat(gw.get("/anything").statusCode()).isEqualTo(200);

        driver.findElement(By.id("sign-out")).click();
        wait.until(d -> String.valueOf(d.getCurrentUrl()).endsWith("/dashboard/sign-in"));
        driver.get(admin + "/dashboard");
        wait.until(d -> String.valueOf(d.getCurrentUrl()).endsWith("/dashboard/sign-in"));

        // The browser's own requests (the favicon) are no refused admin calls.
        assertThat(gw.lines()).noneMatch(l -> l.contains("favicon"));
        List<String> console =
            driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(LogEntry::getMessage)
                .toList();
        assertThat(console)
            .noneMatch(m -> m.contains("Content Security Policy") || m.contains("Refused to"));
      } finally {
        driver.quit();
      }
    }
  }

  @Test
  void anAdminSignsInOverTlsWithPasswordAndTotpCode() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    Assumptions.assumeTrue(
        present || System.getenv("CI") != null,
        "Debian chromium and chromium-driver are not installed (apt-get install chromium"
            + " chromium-driver); in CI this test fails instead");
    assertThat(present).as("CI must have /usr/bin/chromium and /usr/bin/chromedriver").isTrue();
    String screenshots = System.getProperty("dashboard.screenshots");
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                admin:
                  token: "${env:BULWARK_ADMIN_TOKEN}"
                  tls: same
                  dashboard: { organisation: operators }
                routes:
                  - { name: api, match: { path: /** }, upstream: UPSTREAM, public: true }
                """,
                upstream.port(),
                Map.of("BULWARK_ADMIN_TOKEN", TOKEN))) {
      String password = "browser test password 0123456789";
      var stores = gw.gateway().stores();
      var org = stores.organisations().create("operators", "Operators").toCompletableFuture().get();
      var ada =
          stores
              .accounts()
              .create(
                  new dev.bulwark.store.NewAccount(
                      "ada",
                      "ada",
                      null,
                      false,
                      "Ada",
                      new dev.bulwark.identity.password.PasswordHasher(
                              new dev.bulwark.identity.password.Argon2Cost(1024, 1, 1))
                          .hash(password)))
              .toCompletableFuture()
              .get()
              .orElseThrow();
      stores
          .organisations()
          .setMembership(ada.id(), org.orElseThrow().id(), "admin")
          .toCompletableFuture()
          .get();
      var secret = dev.bulwark.identity.totp.TotpSecret.generate(new java.security.SecureRandom());
      stores.accounts().enrolTotp(ada.id(), secret.bytes()).toCompletableFuture().get();

      String admin = "https://localhost:" + gw.gateway().adminPort();
      WebDriver driver = chromium(TestGateway.certificate().certificate());
      try {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));
        driver.get(admin + "/dashboard");
        wait.until(d -> String.valueOf(d.getCurrentUrl()).endsWith("/dashboard/sign-in"));
        driver.manage().window().setSize(new Dimension(900, 560));
        shot(driver, screenshots, "dashboard-sign-in-account.png");
        driver.findElement(By.id("login")).sendKeys("ada");
        driver.findElement(By.id("password")).sendKeys("not the password");
        driver.findElement(By.id("code")).sendKeys("000000");
        driver.findElement(By.cssSelector("#sign-in button")).click();
        wait.until(d -> !d.findElements(By.id("error")).isEmpty());
        assertThat(driver.findElement(By.id("error")).getText())
            .isEqualTo("Wrong login name or password.");
        driver.findElement(By.id("login")).sendKeys("ada");
        driver.findElement(By.id("password")).sendKeys(password);
        driver
            .findElement(By.id("code"))
            .sendKeys(
                dev.bulwark.identity.totp.Totp.code(
                    secret, dev.bulwark.identity.totp.Totp.step(java.time.Instant.now())));
        driver.findElement(By.cssSelector("#sign-in button")).click();
        wait.until(d -> String.valueOf(d.getCurrentUrl()).endsWith("/dashboard"));
        assertThat(driver.findElement(By.id("sign-out")).isDisplayed()).isTrue();
        var cookie =
            java.util.Objects.requireNonNull(
                driver.manage().getCookieNamed("__Host-bulwark-dashboard"));
        assertThat(cookie.isSecure()).isTrue();
        assertThat(cookie.isHttpOnly()).isTrue();
        gw.awaitLine("\"event\":\"login-succeeded\"", "\"route\":\"admin:dashboard\"");
        List<String> console =
            driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(LogEntry::getMessage)
                .toList();
        assertThat(console)
            .noneMatch(m -> m.contains("Content Security Policy") || m.contains("Refused to"));
      } finally {
        driver.quit();
      }
    }
  }

  private static WebDriver chromium() throws Exception {
    return chromium(null);
  }

  /**
   * Returns a headless Chromium that trusts {@code trusted}'s public key (pinned by its SPKI hash,
   * for the test certificate alone), or only the system's CAs.
   */
  private static WebDriver chromium(java.security.cert.@Nullable X509Certificate trusted)
      throws Exception {
    ChromeOptions options = new ChromeOptions();
    if (trusted != null) {
      byte[] spki =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(trusted.getPublicKey().getEncoded());
      options.addArguments(
          "--ignore-certificate-errors-spki-list="
              + java.util.Base64.getEncoder().encodeToString(spki));
    }
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1500");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  private static void shot(WebDriver driver, @Nullable String dir, String name) throws Exception {
    if (dir == null || dir.isBlank()) {
      return;
    }
    Path target = Path.of(dir).resolve(name);
    Files.createDirectories(target.getParent());
    Files.write(target, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
  }
}
