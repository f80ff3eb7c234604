package dev.bulwark.identity.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.testing.SmtpFront;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MailerTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  private final GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", "smtp"));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

  @SuppressWarnings("NullAway.Init")
  private Vertx vertx;

  private @Nullable SmtpFront front;

  private int frontPort() {
    SmtpFront f = front;
    if (f == null) {
      throw new IllegalStateException("no front");
    }
    return f.port();
  }

  @BeforeEach
  void start() {
    smtp.start();
    smtp.setUser("no-reply@example.com", "bulwark", "smtp-secret");
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    SmtpFront f = front;
    if (f != null) {
      f.close();
    }
    smtp.stop();
    vertx.close().await();
  }

  private Mailer mailer(
      MailSettings.Tls tls, int port, @Nullable Path trust, Duration timeout, int queue) {
    Mailer m =
        new Mailer(
            new MailSettings(
                "localhost",
                port,
                tls,
                trust,
                "bulwark",
                "smtp-secret",
                "Example <no-reply@example.com>",
                URI.create("https://app.example.com/account"),
                timeout,
                queue),
            SecurityEvents.of(events::add),
            registry);
    m.bind(vertx);
    return m;
  }

  private static OutgoingMail mail() {
    return new OutgoingMail("alice@example.com", "Reset your password", "the link\r\n", "reset");
  }

  private Path frontWith(SmtpFront.Mode mode, String name) throws Exception {
    front = SmtpFront.start(mode, smtp.getSmtp().getPort(), name);
    return front.writeCa(dir.resolve("ca.pem"));
  }

  private double failures(String reason) {
    return registry.counter("bulwark_mail_failures", "reason", reason).count();
  }

  private static void await(BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10 s");
      }
      Thread.sleep(20);
    }
  }

  @Test
  void startTlsWithACertificateSignedByTheTrustedCaDelivers() throws Exception {
    Path ca = frontWith(SmtpFront.Mode.STARTTLS, "localhost");
    Mailer m = mailer(MailSettings.Tls.STARTTLS, frontPort(), ca, Duration.ofSeconds(5), 10);

    assertThat(m.send(mail())).isTrue();

    assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
    MimeMessage got = smtp.getReceivedMessages()[0];
    assertThat(got.getSubject()).isEqualTo("Reset your password");
    assertThat(got.getAllRecipients()[0].toString()).isEqualTo("alice@example.com");
    await(() -> registry.counter("bulwark_mail_sent").count() == 1);
  }

  @Test
  void implicitTlsWithACertificateSignedByTheTrustedCaDelivers() throws Exception {
    Path ca = frontWith(SmtpFront.Mode.IMPLICIT, "localhost");
    Mailer m = mailer(MailSettings.Tls.IMPLICIT, frontPort(), ca, Duration.ofSeconds(5), 10);

    assertThat(m.send(mail())).isTrue();

    assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
  }

  @Test
  void aCertificateForAnotherHostIsRefusedAndNothingIsSent() throws Exception {
    Path ca = frontWith(SmtpFront.Mode.IMPLICIT, "mail.example.net");
    Mailer m = mailer(MailSettings.Tls.IMPLICIT, frontPort(), ca, Duration.ofSeconds(5), 10);

    m.send(mail());

    await(() -> failures("send-failed") == 1);
    assertThat(smtp.getReceivedMessages()).isEmpty();
  }

  @Test
  void aCertificateForAnotherHostIsRefusedAfterStartTlsToo() throws Exception {
    Path ca = frontWith(SmtpFront.Mode.STARTTLS, "mail.example.net");
    Mailer m = mailer(MailSettings.Tls.STARTTLS, frontPort(), ca, Duration.ofSeconds(5), 10);

    m.send(mail());

    await(() -> failures("send-failed") == 1);
    assertThat(smtp.getReceivedMessages()).isEmpty();
  }

  @Test
  void aCertificateOfAnUntrustedCaIsRefusedWithoutTheTrustFile() throws Exception {
    frontWith(SmtpFront.Mode.STARTTLS, "localhost");
    Mailer m = mailer(MailSettings.Tls.STARTTLS, frontPort(), null, Duration.ofSeconds(5), 10);

    m.send(mail());

    await(() -> failures("send-failed") == 1);
    assertThat(smtp.getReceivedMessages()).isEmpty();
    assertThat(events)
        .anySatisfy(
            e -> {
              assertThat(e.kind()).isEqualTo(SecurityEventKind.MAIL_FAILED);
              assertThat(e.reason())
                  .contains("TLS")
                  .doesNotContain("Exception")
                  .doesNotContain("sun.");
            });
  }

  @Test
  void aServerThatDoesNotOfferStartTlsNeverGetsTheMailInClear() throws Exception {
    Mailer m =
        mailer(
            MailSettings.Tls.STARTTLS, smtp.getSmtp().getPort(), null, Duration.ofSeconds(5), 10);

    m.send(mail());

    await(() -> failures("send-failed") == 1);
    assertThat(smtp.getReceivedMessages()).isEmpty();
  }

  @Test
  void aServerThatIsDownIsCountedAndSendingReturnsAtOnce() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Mailer m = mailer(MailSettings.Tls.STARTTLS, port, null, Duration.ofSeconds(5), 10);

    long start = System.nanoTime();
    assertThat(m.send(mail())).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));

    await(() -> failures("send-failed") == 1);
    assertThat(events).extracting(SecurityEvent::kind).contains(SecurityEventKind.MAIL_FAILED);
    assertThat(events.get(0).reason()).contains("connection refused");
  }

  @Test
  void aHangingServerTimesOutAndAFullQueueDropsTheRest() throws Exception {
    frontWith(SmtpFront.Mode.HANG, "localhost");
    Mailer m = mailer(MailSettings.Tls.STARTTLS, frontPort(), null, Duration.ofSeconds(1), 2);

    long start = System.nanoTime();
    assertThat(m.send(mail())).isTrue();
    assertThat(m.send(mail())).isTrue();
    assertThat(m.send(mail())).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));
    assertThat(failures("queue-full")).isEqualTo(1);

    await(() -> failures("timeout") == 2);
    // The client gives up on the silent server (its idle timeout) and frees the queue.
    await(() -> m.pending() == 0);
    assertThat(smtp.getReceivedMessages()).isEmpty();
  }

  @Test
  void theSettingsNeverPrintThePassword() {
    Mailer m = mailer(MailSettings.Tls.STARTTLS, 587, null, Duration.ofSeconds(1), 1);
    assertThat(m.settings().toString()).doesNotContain("smtp-secret");
    assertThat(Files.exists(dir)).isTrue();
  }
}
