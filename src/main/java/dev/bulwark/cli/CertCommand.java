package dev.bulwark.cli;

import dev.bulwark.server.SelfSignedCertificate;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark cert}: writes a self-signed certificate and key ({@code tls.crt}, {@code tls.key})
 * for trying Bulwark locally; never overwrites a pair without {@code --force}. Exit 0 when written,
 * 1 when refused or not writable, 2 for a bad option.
 */
@Command(
    name = "cert",
    description =
        "Write a self-signed certificate and key (tls.crt, tls.key) for local use; valid 30 days.",
    mixinStandardHelpOptions = true)
final class CertCommand implements Callable<Integer> {
  @Spec
  @SuppressWarnings("NullAway.Init")
  CommandSpec spec;

  @Option(
      names = "--host",
      paramLabel = "NAME",
      description =
          "A DNS name the certificate is for (repeatable; default: localhost). 127.0.0.1 and ::1"
              + " are always included.")
  List<String> hosts = new ArrayList<>();

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = ".",
      description = "Directory to write tls.crt and tls.key into (default: ${DEFAULT-VALUE}).")
  Path out = Path.of(".");

  @Option(names = "--force", description = "Replace an existing tls.crt or tls.key.")
  boolean force;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Set<String> names = new LinkedHashSet<>();
    for (String h : hosts.isEmpty() ? List.of("localhost") : hosts) {
      String host = h.trim().toLowerCase(Locale.ROOT);
      if (host.equals("127.0.0.1") || host.equals("::1") || host.equals("[::1]")) {
        continue; // always in the certificate
      }
      String problem = hostProblem(host);
      if (problem != null) {
        err.println("bulwark cert: --host " + h + ": " + problem);
        err.flush();
        return 2;
      }
      names.add(host);
    }
    if (names.isEmpty()) {
      names.add("localhost");
    }
    Path cert = out.resolve("tls.crt");
    Path key = out.resolve("tls.key");
    if (Files.exists(out) && !Files.isDirectory(out)) {
      err.println("bulwark cert: " + out + " is not a directory (expected: --out DIRECTORY)");
      err.flush();
      return 1;
    }
    if (!force && (Files.exists(cert) || Files.exists(key))) {
      err.println(
          "bulwark cert: "
              + (Files.exists(key) ? key : cert)
              + " exists; add --force to replace tls.crt and tls.key in "
              + out);
      err.flush();
      return 1;
    }
    SelfSignedCertificate written;
    try {
      written = SelfSignedCertificate.generate(out, List.copyOf(names));
    } catch (IOException e) {
      err.println(
          "bulwark cert: cannot write tls.crt and tls.key in " + out + " (" + reason(e) + ")");
      err.flush();
      return 1;
    }
    PrintWriter o = spec.commandLine().getOut();
    o.println(
        "wrote "
            + written.certFile()
            + " and "
            + written.keyFile()
            + " (self-signed ECDSA P-256 for "
            + String.join(", ", names)
            + ", 127.0.0.1 and ::1; valid until "
            + written.certificate().getNotAfter().toInstant().atZone(ZoneOffset.UTC).toLocalDate()
            + "; the key is readable by its owner only)");
    o.println(
        "for local use only: clients trust it only when told to, for example"
            + " curl --cacert "
            + written.certFile()
            + " https://"
            + names.iterator().next()
            + ":8443/");
    o.println("in bulwark.yaml:");
    o.println("tls:");
    o.println("  cert: " + written.certFile().toAbsolutePath().normalize());
    o.println("  key: " + written.keyFile().toAbsolutePath().normalize());
    o.flush();
    return 0;
  }

  /** Returns why a host name cannot go in the certificate, or null when it can. */
  static @org.jspecify.annotations.Nullable String hostProblem(String host) {
    if (host.matches("[0-9.]+") || host.contains(":")) {
      return "an IP address (expected: a DNS name such as localhost or api.test;"
          + " 127.0.0.1 and ::1 are always included)";
    }
    String name = host.startsWith("*.") ? host.substring(2) : host;
    boolean ok = !name.isEmpty() && host.length() <= 253;
    for (String label : name.split("\\.", -1)) {
      ok &= isLabel(label);
    }
    return ok
        ? null
        : "not a DNS name (expected: letters, digits, '-' and '.', such as localhost or api.test)";
  }

  /** A DNS label: 1 to 63 letters, digits and '-', not starting or ending with '-'. */
  private static boolean isLabel(String label) {
    if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
      return false;
    }
    for (int i = 0; i < label.length(); i++) {
      char c = label.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return "cannot write files there";
  }
}
