package dev.bulwark.identity.mail;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.SMTPException;
import io.vertx.ext.mail.StartTLSOptions;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * Sends mail over SMTP from a bounded queue, so that a request never waits for a mail server: a
 * mail is accepted at once or dropped when {@code queue} mails already wait or are in flight.
 * Certificates are verified, host name included (against the JDK's CAs or the {@code trust} file);
 * STARTTLS is required when asked for, never optional. A dropped or failed mail is counted ({@code
 * bulwark_mail_failures_total}), logged in one line naming the server and what to do (at most one
 * line per 10 seconds, with how many failed), and written as a {@code mail-failed} security event.
 * Runs on the event loop it is first {@linkplain #bind bound} to.
 */
public final class Mailer {
  private static final Logger LOG = Logger.getLogger(Mailer.class.getName());
  private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

  /** Why a mail was dropped, as counted. */
  public enum Failure {
    QUEUE_FULL("queue-full"),
    SEND_FAILED("send-failed"),
    TIMEOUT("timeout");

    private final String tag;

    Failure(String tag) {
      this.tag = tag;
    }

    /** Returns the metric tag and event wording. */
    public String tag() {
      return tag;
    }
  }

  private final MailSettings settings;
  private final SecurityEvents events;
  private final AtomicInteger pending = new AtomicInteger();
  private final Counter sent;
  private final Counter queueFull;
  private final Counter sendFailed;
  private final Counter timedOut;
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
  private final AtomicLong sinceLog = new AtomicLong();
  private volatile @Nullable Context context;
  private volatile @Nullable MailClient client;

  /** A mailer for {@code settings} (which must be enabled), counting in {@code registry}. */
  public Mailer(MailSettings settings, SecurityEvents events, MeterRegistry registry) {
    if (!settings.enabled()) {
      throw new IllegalArgumentException("identity.mail: not configured");
    }
    this.settings = settings;
    this.events = requireNonNull(events, "events");
    this.sent =
        Counter.builder("bulwark_mail_sent")
            .description("Mails the SMTP server accepted")
            .register(registry);
    this.queueFull = failures(registry, Failure.QUEUE_FULL);
    this.sendFailed = failures(registry, Failure.SEND_FAILED);
    this.timedOut = failures(registry, Failure.TIMEOUT);
    Gauge.builder("bulwark_mail_pending", pending, AtomicInteger::get)
        .description("Mails waiting or being sent")
        .register(registry);
  }

  private static Counter failures(MeterRegistry registry, Failure f) {
    return Counter.builder("bulwark_mail_failures")
        .description("Mails dropped: the queue was full, the server failed, or it did not answer")
        .tag("reason", f.tag())
        .register(registry);
  }

  /** Returns the settings. */
  public MailSettings settings() {
    return settings;
  }

  /** Returns how many mails wait or are in flight. */
  public int pending() {
    return pending.get();
  }

  /**
   * Binds the mailer to the calling thread's event loop, if it is one and none is bound yet; cheap,
   * so every caller on an event loop may call it first.
   */
  public void bind() {
    if (context == null) {
      Context here = Vertx.currentContext();
      if (here != null) {
        synchronized (this) {
          if (context == null) {
            context = here;
          }
        }
      }
    }
  }

  /** Binds the mailer to {@code vertx}'s context (a command or test without a request). */
  public void bind(Vertx vertx) {
    synchronized (this) {
      if (context == null) {
        context = vertx.getOrCreateContext();
      }
    }
  }

  /**
   * Queues {@code mail}: returns true when it was taken (it is sent in the background), false when
   * the queue was full or no event loop is bound (the mail is dropped, counted and reported). Never
   * blocks, never throws for a server's failure.
   */
  public boolean send(OutgoingMail mail) {
    requireNonNull(mail, "mail");
    Context ctx = context;
    if (ctx == null) {
      failed(Failure.SEND_FAILED, "no event loop to send from (the mailer was never bound)");
      return false;
    }
    if (pending.incrementAndGet() > settings.queue()) {
      pending.decrementAndGet();
      failed(
          Failure.QUEUE_FULL,
          settings.queue()
              + " mails already waiting (raise identity.mail.queue, or check that"
              + " the server answers quickly)");
      return false;
    }
    ctx.runOnContext(v -> start(ctx, mail));
    return true;
  }

  private void start(Context ctx, OutgoingMail mail) {
    MailMessage m =
        new MailMessage()
            .setFrom(settings.from())
            .setTo(mail.to())
            .setSubject(mail.subject())
            .setText(mail.text());
    AtomicBoolean over = new AtomicBoolean();
    long deadline = settings.timeout().toMillis();
    long timer =
        ctx.owner()
            .setTimer(
                deadline,
                t -> {
                  if (over.compareAndSet(false, true)) {
                    // The slot stays taken until the client gives up (its idle timeout), so a
                    // server that hangs fills the queue rather than memory.
                    failed(Failure.TIMEOUT, "no answer within " + deadline + " ms");
                  }
                });
    MailClient c;
    try {
      c = client(ctx.owner());
    } catch (RuntimeException e) {
      ctx.owner().cancelTimer(timer);
      pending.decrementAndGet();
      failed(Failure.SEND_FAILED, "the client could not be set up (" + describe(e) + ")");
      return;
    }
    c.sendMail(m)
        .onComplete(
            r -> {
              ctx.owner().cancelTimer(timer);
              pending.decrementAndGet();
              if (!over.compareAndSet(false, true)) {
                return; // already reported as a timeout
              }
              if (r.succeeded()) {
                sent.increment();
              } else {
                failed(Failure.SEND_FAILED, describe(r.cause()));
              }
            });
  }

  private MailClient client(Vertx vertx) {
    MailClient c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) {
          c = MailClient.create(vertx, config(settings));
          client = c;
        }
      }
    }
    return c;
  }

  /** Returns the Vert.x client configuration of {@code s}: verified TLS, no optional STARTTLS. */
  static MailConfig config(MailSettings s) {
    int seconds = (int) Math.max(1, s.timeout().toSeconds());
    MailConfig c =
        new MailConfig()
            .setHostname(s.host())
            .setPort(s.port())
            .setKeepAlive(false) // a few mails an hour: no pooled connection to go stale
            .setMaxPoolSize(4)
            .setConnectTimeout((int) s.timeout().toMillis())
            .setIdleTimeout(seconds)
            .setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setTrustAll(false)
            // No setHostnameVerificationAlgorithm: vertx-mail-client 5.0.8 turns host-name
            // verification on only when none is set (an explicit "HTTPS" is replaced by "",
            // which verifies nothing); MailerTest holds it to that.
            .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
    switch (s.tls()) {
      case STARTTLS -> c.setStarttls(StartTLSOptions.REQUIRED).setSsl(false);
      case IMPLICIT -> c.setSsl(true).setStarttls(StartTLSOptions.DISABLED);
      case NONE -> c.setSsl(false).setStarttls(StartTLSOptions.DISABLED);
    }
    if (s.trust() != null) {
      c.setTrustOptions(new PemTrustOptions().addCertPath(s.trust().toString()));
    }
    String user = s.username();
    if (user != null) {
      c.setLogin(LoginOption.REQUIRED).setUsername(user).setPassword(s.password());
    } else {
      c.setLogin(LoginOption.DISABLED);
    }
    return c;
  }

  private void failed(Failure why, String detail) {
    switch (why) {
      case QUEUE_FULL -> queueFull.increment();
      case SEND_FAILED -> sendFailed.increment();
      case TIMEOUT -> timedOut.increment();
    }
    events.publish(SecurityEvent.mailFailed(settings.address(), why.tag() + ": " + detail));
    long n = sinceLog.incrementAndGet();
    long now = System.nanoTime();
    long last = lastLog.get();
    if (now - last >= LOG_INTERVAL_NANOS && lastLog.compareAndSet(last, now)) {
      sinceLog.addAndGet(-n);
      LOG.warning(
          "mail to "
              + settings.address()
              + " dropped ("
              + n
              + (n == 1 ? " mail" : " mails")
              + " since the last line; last: "
              + why.tag()
              + ", "
              + detail
              + "): check that the SMTP server runs and accepts this gateway, and"
              + " identity.mail.host, port, tls, trust and username");
    }
  }

  /** Says in words what went wrong, never with a class name. */
  static String describe(@Nullable Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SMTPException smtp) {
        return "the server answered " + smtp.getReplyCode() + " " + clean(smtp.getReplyMessage());
      }
      if (c instanceof SSLException) {
        return "TLS failed ("
            + clean(c.getMessage())
            + "); is the certificate for this host, and"
            + " signed by a CA in identity.mail.trust?";
      }
      if (c instanceof ConnectException) {
        return "connection refused or unreachable";
      }
      if (c instanceof UnknownHostException) {
        return "unknown host";
      }
      if (c instanceof TimeoutException || (c.getClass().getSimpleName().contains("Timeout"))) {
        return "no answer in time";
      }
      if (c instanceof ClosedChannelException) {
        return "the server closed the connection";
      }
    }
    return t == null ? "unknown failure" : clean(t.getMessage());
  }

  private static String clean(@Nullable String s) {
    if (s == null || s.isBlank()) {
      return "no detail";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 160; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    // Drop exception class names (a.b.SomeException: ...) wherever a cause was quoted.
    return b.toString().replaceAll("([a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*:\\s*", "").trim();
  }
}
