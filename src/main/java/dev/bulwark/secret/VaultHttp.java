package dev.bulwark.secret;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Blocking JSON requests to Vault's HTTP API over verified TLS, each bounded in time and in the
 * size of the answer; failures become a {@link VaultException} that says in words what went wrong.
 * Never called on an event loop: configuration is read on the main thread or a worker.
 */
final class VaultHttp implements AutoCloseable {
  /** Answers larger than this are refused (a KV secret is small; this bounds a hostile server). */
  static final int MAX_ANSWER_BYTES = 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final VaultSettings settings;
  private final ExecutorService executor;
  private final HttpClient client;

  VaultHttp(VaultSettings settings) throws VaultException {
    this.settings = settings;
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "bulwark-vault-http");
              t.setDaemon(true);
              return t;
            });
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(settings.timeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .sslContext(sslContext(settings))
            .executor(executor)
            .build();
  }

  /** Sends {@code GET /v1/<path>} with the token; returns the JSON answer of a 2xx. */
  JsonNode get(String path, @Nullable String token, String what) throws VaultException {
    return send(request(path, token).GET().build(), what);
  }

  /** Sends {@code POST /v1/<path>} with a JSON body; returns the JSON answer of a 2xx. */
  JsonNode post(String path, @Nullable String token, ObjectNode body, String what)
      throws VaultException {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON object always serializes", e);
    }
    return send(
        request(path, token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
            .build(),
        what);
  }

  /** Returns a new JSON object for a request body. */
  static ObjectNode body() {
    return JSON.createObjectNode();
  }

  private HttpRequest.Builder request(String path, @Nullable String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(settings.where() + "/v1/" + path))
            .timeout(settings.timeout())
            .header("Accept", "application/json");
    if (token != null) {
      b.header("X-Vault-Token", token);
    }
    String ns = settings.namespace();
    if (ns != null) {
      b.header("X-Vault-Namespace", ns);
    }
    return b;
  }

  private JsonNode send(HttpRequest request, String what) throws VaultException {
    long deadline = System.nanoTime() + settings.timeout().toNanos();
    CompletableFuture<HttpResponse<InputStream>> sent =
        client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
    HttpResponse<InputStream> response;
    try {
      response = sent.get(settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      sent.cancel(true);
      throw unavailable(what, "no answer within " + seconds(settings.timeout()));
    } catch (ExecutionException e) {
      throw failed(what, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(what, "interrupted");
    }
    byte[] bytes = readBounded(response.body(), deadline, what);
    if (bytes.length > MAX_ANSWER_BYTES) {
      throw new VaultException(
          VaultException.Reason.BAD_SECRET,
          what + ": Vault's answer is larger than " + (MAX_ANSWER_BYTES >> 10) + "KiB");
    }
    int status = response.statusCode();
    if (status == 403) {
      throw new VaultException(
          VaultException.Reason.DENIED, what + ": Vault answered 403" + firstError(bytes));
    }
    if (status == 404) {
      throw new VaultException(
          VaultException.Reason.BAD_SECRET,
          what
              + (deleted(bytes)
                  ? ": the current version is deleted in Vault (undelete it or write a new one)"
                  : ": not found in Vault (404)"));
    }
    if (status == 429 || status >= 500) {
      throw unavailable(what, "Vault answered " + status + firstError(bytes));
    }
    if (status < 200 || status > 299) {
      throw new VaultException(
          status == 400 ? VaultException.Reason.DENIED : VaultException.Reason.BAD_SECRET,
          what + ": Vault answered " + status + firstError(bytes));
    }
    if (status == 204) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode n = JSON.readTree(new ByteArrayInputStream(bytes));
      if (n == null || !n.isObject()) {
        throw new VaultException(
            VaultException.Reason.BAD_SECRET, what + ": Vault's answer is not a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new VaultException(
          VaultException.Reason.BAD_SECRET, what + ": Vault's answer is not JSON");
    }
  }

  /** Reads at most one byte past the limit, closing the stream when the deadline passes. */
  private byte[] readBounded(InputStream in, long deadline, String what) throws VaultException {
    AtomicBoolean late = new AtomicBoolean();
    long left = Math.max(1, deadline - System.nanoTime());
    CompletableFuture<Void> watchdog =
        CompletableFuture.runAsync(
            () -> {
              late.set(true);
              closeQuietly(in);
            },
            CompletableFuture.delayedExecutor(left, TimeUnit.NANOSECONDS));
    try {
      return in.readNBytes(MAX_ANSWER_BYTES + 1);
    } catch (IOException e) {
      throw unavailable(
          what,
          late.get()
              ? "no whole answer within " + seconds(settings.timeout())
              : "the answer broke off");
    } finally {
      watchdog.cancel(false);
      closeQuietly(in);
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // closing is all that is left to do
    }
  }

  private VaultException failed(String what, @Nullable Throwable cause) {
    if (cause instanceof HttpConnectTimeoutException) {
      return unavailable(what, "no connection within " + seconds(settings.timeout()));
    }
    if (cause instanceof HttpTimeoutException) {
      return unavailable(what, "no answer within " + seconds(settings.timeout()));
    }
    SSLHandshakeException tls = null;
    for (Throwable t = cause; t != null && tls == null; t = t.getCause()) {
      if (t instanceof SSLHandshakeException h) {
        tls = h;
      }
    }
    if (tls != null) {
      return new VaultException(
          VaultException.Reason.UNTRUSTED,
          "Vault at "
              + settings.where()
              + ": TLS failed ("
              + tlsReason(tls)
              + "); set vault.ca to the CA bundle that issued Vault's certificate");
    }
    if (cause instanceof ConnectException) {
      return unavailable(what, "connection refused or unreachable");
    }
    return unavailable(what, "the connection failed");
  }

  private VaultException unavailable(String what, String why) {
    return new VaultException(
        VaultException.Reason.UNAVAILABLE, what + ": Vault at " + settings.where() + ": " + why);
  }

  /** Returns whether a 404 is KV v2's answer for a deleted or destroyed current version. */
  private static boolean deleted(byte[] bytes) {
    try {
      JsonNode n = JSON.readTree(bytes);
      JsonNode m = n == null ? null : n.path("data").path("metadata");
      return m != null
          && (!m.path("deletion_time").asText("").isEmpty()
              || m.path("destroyed").asBoolean(false));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Returns {@code " (first error)"} from Vault's {@code errors} list, bounded, or "". */
  private static String firstError(byte[] bytes) {
    try {
      JsonNode n = JSON.readTree(bytes);
      JsonNode errors = n == null ? null : n.get("errors");
      if (errors != null && errors.isArray() && errors.size() > 0 && errors.get(0).isTextual()) {
        String e = errors.get(0).textValue().replaceAll("[\\p{Cntrl}]", " ");
        return " (" + (e.length() > 120 ? e.substring(0, 117) + "..." : e) + ")";
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: say nothing more
    }
    return "";
  }

  private static String tlsReason(SSLHandshakeException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("PKIX") || m.contains("certification path")) {
      return "its certificate is not issued by a trusted CA";
    }
    if (m.contains("No subject alternative") || m.contains("No name matching")) {
      return "its certificate does not name this host";
    }
    if (m.contains("expired") || m.contains("NotAfter")) {
      return "its certificate has expired";
    }
    return "handshake refused";
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  private static SSLContext sslContext(VaultSettings settings) throws VaultException {
    try {
      String pem = settings.caPem();
      SSLContext ctx = SSLContext.getInstance("TLS");
      if (pem == null) {
        ctx.init(null, null, null);
        return ctx;
      }
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      if (certs.isEmpty()) {
        throw new VaultException(
            VaultException.Reason.UNTRUSTED, "vault.ca: no PEM certificate in the CA bundle");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        store.setCertificateEntry("vault-ca-" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new VaultException(
          VaultException.Reason.UNTRUSTED,
          "vault.ca: the CA bundle cannot be read as PEM certificates");
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
