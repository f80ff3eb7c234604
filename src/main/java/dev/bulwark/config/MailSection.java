package dev.bulwark.config;

import dev.bulwark.identity.mail.MailSettings;
import dev.bulwark.identity.mail.ResetSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads {@code identity.mail} into {@link MailSettings} (absent: no mail) and {@code
 * identity.reset} into {@link ResetSettings}, every mistake reported with its path; a connection
 * without TLS is allowed only to a loopback host, and warned about.
 */
final class MailSection {
  static final Set<String> KEYS =
      Set.of(
          "host",
          "port",
          "tls",
          "trust",
          "username",
          "password",
          "from",
          "link-base",
          "timeout",
          "queue");
  static final Set<String> RESET_KEYS =
      Set.of("ttl", "verify-ttl", "invite-ttl", "window", "per-login", "per-address");

  /** The largest trust file read. */
  static final long MAX_TRUST_BYTES = 1024 * 1024;

  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]+\\]");
  private static final Pattern ADDRESS =
      Pattern.compile("[^\\s<>@\",;]{1,64}@[A-Za-z0-9.-]{1,253}");
  private static final Pattern NAMED =
      Pattern.compile("[^<>\"\\p{Cntrl}]{0,128}<(" + ADDRESS.pattern() + ")>");

  private MailSection() {}

  static MailSettings read(ConfigNode n, Path baseDir) {
    if (!n.present() || !n.expectMapping(KEYS)) {
      return MailSettings.OFF;
    }
    MailSettings d = MailSettings.OFF;
    ConfigNode hostNode = n.get("host");
    String host = hostNode.requiredString("the SMTP server's host name, such as smtp.example.com");
    if (host != null && !HOST.matcher(host).matches()) {
      hostNode.invalid("a host name or address, such as smtp.example.com");
      host = null;
    }
    ConfigNode tlsNode = n.get("tls");
    String tlsText = tlsNode.choice(List.of("starttls", "implicit", "none"), "starttls");
    MailSettings.Tls tls = MailSettings.Tls.valueOf(tlsText.toUpperCase(Locale.ROOT));
    if (tls == MailSettings.Tls.NONE && host != null) {
      if (!IdentitySection.loopback(host)) {
        tlsNode.error(
            "none to "
                + host
                + " (expected: starttls or implicit; none only to a loopback host such as"
                + " 127.0.0.1)");
      } else {
        tlsNode.warning(
            "none: reset links and the SMTP password cross the loopback interface in clear");
      }
    }
    int defaultPort =
        switch (tls) {
          case STARTTLS -> 587;
          case IMPLICIT -> 465;
          case NONE -> 25;
        };
    int port = n.get("port").integer(defaultPort, 1, 65535);
    Path trust = trust(n.get("trust"), baseDir);
    if (trust != null && tls == MailSettings.Tls.NONE) {
      n.get("trust").error("set with tls: none (expected: starttls or implicit, or no trust)");
    }
    ConfigNode userNode = n.get("username");
    String username = userNode.string("the SMTP user name");
    if (username != null && (username.isEmpty() || username.length() > 256)) {
      userNode.invalid("1 to 256 characters");
    }
    ConfigNode passNode = n.get("password");
    String password = password(passNode);
    if (username != null && !passNode.present()) {
      passNode.error(
          "missing (expected: a secret reference such as ${file:/run/secrets/smtp-password},"
              + " with username)");
    }
    if (username == null && passNode.present()) {
      userNode.error("missing (expected: the SMTP user name, with password)");
    }
    ConfigNode fromNode = n.get("from");
    String from = fromNode.requiredString("the sender, such as Example <no-reply@example.com>");
    if (from != null && !(ADDRESS.matcher(from).matches() || NAMED.matcher(from).matches())) {
      fromNode.invalid("an address such as no-reply@example.com or Example <no-reply@example.com>");
      from = null;
    }
    URI linkBase = linkBase(n.get("link-base"));
    Duration timeout =
        n.get("timeout").duration(d.timeout(), Duration.ofSeconds(1), Duration.ofMinutes(2));
    int queue = n.get("queue").integer(d.queue(), 1, 100_000);
    if (host == null || from == null || linkBase == null) {
      return MailSettings.OFF;
    }
    return new MailSettings(
        host, port, tls, trust, username, password, from, linkBase, timeout, queue);
  }

  static ResetSettings reset(ConfigNode n) {
    ResetSettings d = ResetSettings.DEFAULTS;
    if (!n.present() || !n.expectMapping(RESET_KEYS)) {
      return d;
    }
    ConfigNode ttlNode = n.get("ttl");
    Duration ttl = ttlNode.duration(d.ttl(), Duration.ofMinutes(1), Duration.ofHours(24));
    if (ttl.compareTo(Duration.ofHours(1)) > 0) {
      ttlNode.warning(
          Units.formatDuration(ttl)
              + ": a reset link left in a mailbox stays usable that long (expected: 1h or less)");
    }
    Duration verify =
        n.get("verify-ttl").duration(d.verifyTtl(), Duration.ofMinutes(5), Duration.ofDays(30));
    Duration invite =
        n.get("invite-ttl").duration(d.inviteTtl(), Duration.ofHours(1), Duration.ofDays(30));
    Duration window =
        n.get("window").duration(d.window(), Duration.ofMinutes(1), Duration.ofHours(24));
    int perLogin = n.get("per-login").integer(d.perLogin(), 1, 100);
    int perAddress = n.get("per-address").integer(d.perAddress(), 1, 100_000);
    return new ResetSettings(ttl, verify, invite, window, perLogin, perAddress);
  }

  private static @Nullable Path trust(ConfigNode n, Path baseDir) {
    String file = n.string("a PEM file of CA certificates");
    if (file == null) {
      return null;
    }
    Path p = baseDir.resolve(file).normalize();
    String problem = ReadableFile.problem(p, MAX_TRUST_BYTES);
    if (problem != null) {
      n.error(p + ": " + problem);
      return null;
    }
    try (InputStream in = Files.newInputStream(p)) {
      if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        n.error(p + ": no certificate in it (expected: PEM CA certificates)");
        return null;
      }
    } catch (IOException | CertificateException e) {
      n.error(p + ": not PEM certificates (expected: -----BEGIN CERTIFICATE----- blocks)");
      return null;
    }
    return p;
  }

  private static @Nullable String password(ConfigNode n) {
    if (!n.present()) {
      return null;
    }
    String raw = n.rawText();
    if (raw == null || !SecretResolver.containsReference(raw)) {
      return null; // a literal password: the literal-secrets check reports it at this path
    }
    return n.string("a secret reference such as ${file:/run/secrets/smtp-password}");
  }

  private static @Nullable URI linkBase(ConfigNode n) {
    String s =
        n.requiredString(
            "the https URL mailed links start with, such as https://app.example.com/account");
    if (s == null) {
      return null;
    }
    String expected =
        "an https URL without user info, query or fragment, such as https://app.example.com/account"
            + " (http only for a loopback host)";
    try {
      URI u = new URI(s);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      String host = u.getHost();
      if (host == null
          || u.getRawUserInfo() != null
          || u.getRawQuery() != null
          || u.getRawFragment() != null
          || s.length() > 512
          || !(scheme.equals("https")
              || (scheme.equals("http") && IdentitySection.loopback(host)))) {
        n.invalid(expected);
        return null;
      }
      return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    } catch (URISyntaxException e) {
      n.invalid(expected);
      return null;
    }
  }
}
