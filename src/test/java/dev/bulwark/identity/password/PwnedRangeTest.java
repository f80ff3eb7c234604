package dev.bulwark.identity.password;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.bulwark.blocking.BlockingExecutor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The k-anonymity range lookup against a Pwned-Passwords-compatible server started here: only five
 * hex digits leave the process, a breached password is refused, and a slow, failing, oversized or
 * garbled answer does what {@code on-failure} says.
 */
class PwnedRangeTest {
  private static final String BREACHED = "velvet harbor quantum tulips";
  private static final String CLEAN = "marble lantern copper owls";

  private HttpServer server;
  private final List<String> paths = new CopyOnWriteArrayList<>();
  private final AtomicReference<String> mode = new AtomicReference<>("normal");
  private BlockingExecutor executor;

  private static String sha1(String password) {
    return HexFormat.of()
        .withUpperCase()
        .formatHex(BreachedPasswords.sha1(Normalizer.normalize(password, Normalizer.Form.NFKC)));
  }

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          paths.add(exchange.getRequestURI().getPath());
          String body;
          int status = 200;
          String prefix = exchange.getRequestURI().getPath().replace("/range/", "");
          switch (java.util.Objects.requireNonNull(mode.get())) {
            case "slow" -> {
              try {
                Thread.sleep(2500);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              body = "";
            }
            case "error" -> {
              status = 503;
              body = "down";
            }
            case "garbled" -> body = "<html>not a range</html>\n";
            case "huge" -> body = "0".repeat(35) + ":1\r\n".repeat(1) + "A".repeat(2_000_000);
            default -> {
              StringBuilder b = new StringBuilder();
              String breached = sha1(BREACHED);
              if (breached.startsWith(prefix)) {
                b.append(breached.substring(5)).append(":3861\r\n");
              }
              String clean = sha1(CLEAN);
              if (clean.startsWith(prefix)) {
                b.append(clean.substring(5)).append(":0\r\n"); // a padding line
              }
              b.append("0018A45C4D1DEF81644B54AB7F969B88D65:10\r\n");
              body = b.toString();
            }
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, bytes.length);
          try (var out = exchange.getResponseBody()) {
            out.write(bytes);
          } catch (java.io.IOException clientGone) {
            // the client gave up (timeout, oversized answer)
          }
        });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    executor = new BlockingExecutor(2, 16, new SimpleMeterRegistry());
  }

  @AfterEach
  void stop() {
    server.stop(0);
    executor.close();
  }

  private PasswordPolicy policy(PwnedRangeSettings.OnFailure onFailure) {
    // Generous for a loaded machine's first connection; the slow server sleeps longer.
    return policy(onFailure, Duration.ofMillis(1500));
  }

  private PasswordPolicy policy(PwnedRangeSettings.OnFailure onFailure, Duration timeout) {
    URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    PwnedRangeSettings range = new PwnedRangeSettings(url, timeout, onFailure);
    PasswordSettings settings = new PasswordSettings(Argon2Cost.OWASP, 12, 128, 3, null, range);
    return new PasswordPolicy(
        settings, BreachedPasswords.NONE, new PwnedRange(url, range.timeout()));
  }

  private PasswordVerdict check(PasswordPolicy p, String password) throws Exception {
    return p.check(executor, password, "alice").toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void onlyTheFirstFiveHexDigitsOfTheHashLeaveTheProcess() throws Exception {
    check(policy(PwnedRangeSettings.OnFailure.ALLOW), BREACHED);
    assertThat(paths).containsExactly("/range/" + sha1(BREACHED).substring(0, 5));
  }

  @Test
  void aBreachedPasswordIsRefusedAndACleanOneAccepted() throws Exception {
    PasswordPolicy p = policy(PwnedRangeSettings.OnFailure.ALLOW);
    assertThat(check(p, BREACHED).reasons()).containsExactly(PasswordPolicy.BREACHED);
    PasswordVerdict clean = check(p, CLEAN);
    assertThat(clean.accepted()).isTrue();
    assertThat(clean.notes()).isEmpty();
  }

  @Test
  void aPasswordThatFailsTheLocalChecksIsNeverSentAnywhere() throws Exception {
    PasswordVerdict v = check(policy(PwnedRangeSettings.OnFailure.ALLOW), "password123456");
    assertThat(v.accepted()).isFalse();
    assertThat(paths).isEmpty();
  }

  @Test
  void aSlowServerCountsAsAFailureAndByDefaultDoesNotBlockThePasswordChange() throws Exception {
    mode.set("slow");
    long t0 = System.nanoTime();
    PasswordVerdict v = check(policy(PwnedRangeSettings.OnFailure.ALLOW), CLEAN);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2400));
    assertThat(v.accepted()).isTrue();
    assertThat(v.notes()).singleElement().asString().contains("no answer in time");
    assertThat(v.notes().get(0)).doesNotContain(CLEAN);
  }

  @Test
  void failuresRefuseThePasswordWhenSoConfigured() throws Exception {
    for (String m : List.of("error", "garbled", "huge", "slow")) {
      mode.set(m);
      PasswordVerdict v = check(policy(PwnedRangeSettings.OnFailure.REFUSE), CLEAN);
      assertThat(v.reasons()).as(m).containsExactly(PasswordPolicy.CHECK_UNAVAILABLE);
      assertThat(v.notes()).as(m).hasSize(1);
    }
  }

  @Test
  void anUnreachableServerIsAFailure() throws Exception {
    URI nowhere = URI.create("http://127.0.0.1:1");
    PwnedRange r = new PwnedRange(nowhere, Duration.ofMillis(500));
    PwnedRange.Answer a = r.lookup(CLEAN).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(a.outcome()).isEqualTo(PwnedRange.Outcome.UNAVAILABLE);
  }
}
