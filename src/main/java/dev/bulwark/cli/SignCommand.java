package dev.bulwark.cli;

import dev.bulwark.policy.authn.signature.ContentDigest;
import dev.bulwark.policy.authn.signature.MessageComponents;
import dev.bulwark.policy.authn.signature.RequestSigner;
import dev.bulwark.policy.authn.signature.SignatureAlgorithm;
import dev.bulwark.policy.authn.signature.SignatureBase;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bulwark sign}: signs one request (HTTP Message Signatures, RFC 9421) the way a route with
 * {@code auth.signature} verifies it, and prints the headers to add, or a ready curl line.
 */
@Command(
    name = "sign",
    description = {
      "Sign a request with HTTP Message Signatures (RFC 9421) for tests and scripts: prints the"
          + " Content-Digest, Signature-Input and Signature headers to add (or a curl line).",
      "Exit codes: 0 printed, 1 the key or body cannot be read or a covered header is missing,"
          + " 2 usage error."
    },
    mixinStandardHelpOptions = true)
final class SignCommand implements Callable<Integer> {
  private static final SecureRandom NONCES = new SecureRandom();

  @Option(names = "--method", defaultValue = "GET", description = "Method (default: GET).")
  String method = "GET";

  @Option(names = "--url", required = true, description = "The full URL the gateway receives.")
  @SuppressWarnings("NullAway.Init")
  String url;

  @Option(
      names = {"-H", "--header"},
      description = "A header 'Name: value' sent (repeatable).")
  List<String> headers = new ArrayList<>();

  @Option(names = "--body", description = "A file whose bytes are the request body.")
  @Nullable Path body;

  @Option(names = "--key-id", required = true, description = "The keyid the gateway knows.")
  @SuppressWarnings("NullAway.Init")
  String keyId;

  @Option(
      names = "--alg",
      defaultValue = "hmac-sha256",
      description = "hmac-sha256, ed25519 or ecdsa-p256-sha256 (default: ${DEFAULT-VALUE}).")
  String alg = "hmac-sha256";

  @Option(
      names = "--key-file",
      description = "The HMAC secret (its bytes), or a PEM PKCS#8 private key.")
  @Nullable Path keyFile;

  @Option(names = "--key-env", description = "An environment variable holding the HMAC secret.")
  @Nullable String keyEnv;

  @Option(
      names = "--covered",
      split = ",",
      description =
          "Components to cover, in order (default: @method,@target-uri, plus content-digest with"
              + " a body).")
  List<String> covered = new ArrayList<>();

  @Option(names = "--created", description = "created, epoch seconds (default: now).")
  @Nullable Long created;

  @Option(names = "--expires-in", description = "Seconds until expires (default: none).")
  @Nullable Long expiresIn;

  @Option(names = "--no-nonce", description = "Write no nonce (default: a random one).")
  boolean noNonce;

  @Option(names = "--tag", description = "The tag parameter, when the route asks for one.")
  @Nullable String tag;

  @Option(names = "--curl", description = "Print a ready curl command line instead.")
  boolean curl;

  @CommandLine.Spec
  @SuppressWarnings("NullAway.Init")
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    SignatureAlgorithm algorithm = SignatureAlgorithm.byName(alg);
    if (algorithm == null) {
      return usage(err, "--alg: " + alg + " (expected one of: " + SignatureAlgorithm.names() + ")");
    }
    if ((keyFile == null) == (keyEnv == null)) {
      return usage(err, "give exactly one of --key-file and --key-env");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return usage(err, "--url: " + url + " (expected: an absolute http or https URL)");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if ((!scheme.equals("https") && !scheme.equals("http")) || uri.getHost() == null) {
      return usage(err, "--url: " + url + " (expected: an absolute http or https URL)");
    }
    Map<String, List<String>> fields = new LinkedHashMap<>();
    List<String> sent = new ArrayList<>();
    for (String h : headers) {
      int colon = h.indexOf(':');
      if (colon <= 0) {
        return usage(err, "--header: " + h + " (expected: 'Name: value')");
      }
      String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      fields.computeIfAbsent(name, k -> new ArrayList<>()).add(h.substring(colon + 1).trim());
      sent.add(h);
    }
    byte[] bytes = null;
    Key key;
    try {
      if (body != null) {
        bytes = Files.readAllBytes(body);
      }
      String text;
      if (keyFile != null) {
        text = Files.readString(keyFile, StandardCharsets.UTF_8);
        if (algorithm.symmetric()) {
          text = text.strip();
        }
      } else {
        String v = System.getenv(keyEnv);
        if (v == null) {
          err.println("bulwark sign: --key-env " + keyEnv + ": not set");
          err.flush();
          return 1;
        }
        text = v;
      }
      key = algorithm.signingKey(text);
    } catch (IOException e) {
      err.println("bulwark sign: cannot read " + (bytes == null && body != null ? body : keyFile));
      err.flush();
      return 1;
    } catch (IllegalArgumentException e) {
      err.println("bulwark sign: the key: " + e.getMessage());
      err.flush();
      return 1;
    }
    List<String> components = new ArrayList<>(covered);
    if (components.isEmpty()) {
      components.addAll(List.of("@method", "@target-uri"));
      if (bytes != null) {
        components.add("content-digest");
      }
    }
    String digest = null;
    if (components.contains("content-digest") && !fields.containsKey("content-digest")) {
      digest = ContentDigest.of(bytes == null ? new byte[0] : bytes, "sha-256");
      fields.put("content-digest", List.of(digest));
    }
    int port = uri.getPort();
    boolean standard = port == -1 || port == (scheme.equals("https") ? 443 : 80);
    String authority = uri.getHost().toLowerCase(Locale.ROOT) + (standard ? "" : ":" + port);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    MessageComponents m = new Target(method, scheme, authority, path, uri.getRawQuery(), fields);
    long now = created != null ? created : System.currentTimeMillis() / 1000;
    byte[] nonce = new byte[16];
    NONCES.nextBytes(nonce);
    RequestSigner.Headers signed;
    try {
      signed =
          RequestSigner.sign(
              m,
              components,
              new RequestSigner.Parameters(
                  "sig1",
                  algorithm,
                  key,
                  keyId,
                  now,
                  expiresIn == null ? null : now + expiresIn,
                  noNonce ? null : Base64.getUrlEncoder().withoutPadding().encodeToString(nonce),
                  tag,
                  true));
    } catch (SignatureBase.Unusable e) {
      err.println("bulwark sign: " + e.getMessage());
      err.flush();
      return 1;
    } catch (java.security.GeneralSecurityException e) {
      err.println("bulwark sign: the key cannot sign with " + alg);
      err.flush();
      return 1;
    }
    List<String> add = new ArrayList<>();
    if (digest != null) {
      add.add("Content-Digest: " + digest);
    }
    add.add("Signature-Input: " + signed.signatureInput());
    add.add("Signature: " + signed.signature());
    if (curl) {
      StringBuilder sb = new StringBuilder("curl -sS -X ").append(quote(method));
      for (String h : sent) {
        sb.append(" -H ").append(quote(h));
      }
      for (String h : add) {
        sb.append(" -H ").append(quote(h));
      }
      if (body != null) {
        sb.append(" --data-binary ").append(quote("@" + body));
      }
      out.println(sb.append(' ').append(quote(url)));
    } else {
      add.forEach(out::println);
    }
    out.flush();
    return 0;
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private int usage(PrintWriter err, String message) {
    err.println("bulwark sign: " + message);
    err.flush();
    return Main.EXIT_USAGE;
  }

  /** The request being signed. */
  private record Target(
      String method,
      String scheme,
      String authority,
      String path,
      @Nullable String query,
      Map<String, List<String>> fields)
      implements MessageComponents {
    @Override
    public List<String> header(String lowerCaseName) {
      return fields.getOrDefault(lowerCaseName, List.of());
    }
  }
}
