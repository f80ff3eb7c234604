package dev.bulwark.identity.mail;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The {@code identity.mail} section: the SMTP server mail is sent through, how the connection is
 * protected, the credentials, the sender, the base of the links mailed, and the bounds of sending.
 *
 * @param host the SMTP server's host name (what its certificate must name)
 * @param port its port
 * @param tls how the connection is protected
 * @param trust a PEM file of the CA certificates that may sign the server's certificate, or null
 *     for the JDK's trusted CAs
 * @param username the SMTP user, or null to send without authentication
 * @param password the SMTP password (resolved from a secret reference), or null
 * @param from the sender address ({@code From}), such as {@code Example <no-reply@example.com>}
 * @param linkBase the https URL the mailed links start with ({@code {link-base}/reset#token=...})
 * @param timeout how long connecting, and each wait for the server, may take
 * @param queue how many mails may wait or be in flight at once; more are dropped and counted
 */
public record MailSettings(
    String host,
    int port,
    Tls tls,
    @Nullable Path trust,
    @Nullable String username,
    @Nullable String password,
    String from,
    URI linkBase,
    Duration timeout,
    int queue) {

  /** No mail server: nothing is sent, and the reset endpoint cannot be served. */
  public static final MailSettings OFF =
      new MailSettings(
          "",
          0,
          Tls.STARTTLS,
          null,
          null,
          null,
          "",
          URI.create("https://bulwark.invalid"),
          Duration.ofSeconds(10),
          100);

  /** How the SMTP connection is protected. */
  public enum Tls {
    /** Plain connection upgraded with STARTTLS, which the server must offer (port 587). */
    STARTTLS,
    /** TLS from the first byte (port 465). */
    IMPLICIT,
    /** No TLS: allowed only to a loopback host, such as a local relay. */
    NONE
  }

  public MailSettings {
    requireNonNull(host, "host");
    requireNonNull(tls, "tls");
    requireNonNull(from, "from");
    requireNonNull(linkBase, "linkBase");
    requireNonNull(timeout, "timeout");
    if (queue < 1) {
      throw new IllegalArgumentException("queue: " + queue + " (expected: > 0)");
    }
  }

  /** Returns whether a mail server is configured. */
  public boolean enabled() {
    return !host.isEmpty();
  }

  /** Returns the server as {@code host:port}, for messages. */
  public String address() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "MailSettings[" + address() + ", " + tls + ", from " + from + "]";
  }
}
