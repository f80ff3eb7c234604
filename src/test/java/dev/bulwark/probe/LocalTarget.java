package dev.bulwark.probe;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deliberately weak or a hardened HTTPS server on 127.0.0.1 ephemeral ports, plus its plain-HTTP
 * listener, for the probe to grade.
 */
final class LocalTarget implements AutoCloseable {
  static final String ALLOWED_ORIGIN = "https://app.example.com";
  static final String STACK_TRACE =
      "java.lang.IllegalStateException: unexpected input\n"
          + "\tat com.example.orders.OrderController.create(OrderController.java:42)\n"
          + "\tat io.vertx.core.impl.ContextImpl.emit(ContextImpl.java:335)\n"
          + "Caused by: org.postgresql.util.PSQLException: syntax error at or near \"'\"\n";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer https;
  private final HttpServer http;
  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger plainRequests = new AtomicInteger();
  final int rateLimit;

  private LocalTarget(
      Vertx vertx, TestPki pki, boolean hardened, int rateLimit, boolean legacyTls) {
    this.rateLimit = rateLimit;
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost("127.0.0.1")
            .setSsl(true)
            .setKeyCertOptions(pki.keyCert())
            .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
    List<String> suites;
    if (legacyTls) {
      // BoringSSL still speaks TLS 1.0/1.1 when asked; the JDK's own policy forbids it in-process.
      options
          .setSslEngineOptions(new OpenSSLEngineOptions())
          .setEnabledSecureTransportProtocols(Set.of("TLSv1", "TLSv1.1", "TLSv1.2"));
      suites =
          List.of(
              "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
              "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
              "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    } else if (hardened) {
      options.setSslEngineOptions(
          OpenSSLEngineOptions.isAvailable()
              ? new OpenSSLEngineOptions()
              : new JdkSSLEngineOptions());
      suites =
          List.of(
              "TLS_AES_128_GCM_SHA256",
              "TLS_AES_256_GCM_SHA384",
              "TLS_CHACHA20_POLY1305_SHA256",
              "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
              "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
              "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
      options.setMaxHeaderSize(8192).setMaxInitialLineLength(4096);
    } else {
      options.setSslEngineOptions(new JdkSSLEngineOptions());
      suites =
          List.of(
              "TLS_AES_128_GCM_SHA256",
              "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
              "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
              "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
              "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA");
      options.setMaxHeaderSize(256 * 1024).setMaxInitialLineLength(128 * 1024);
    }
    suites.forEach(options::addEnabledCipherSuite);
    https =
        vertx
            .createHttpServer(options)
            .requestHandler(hardened ? this::hardened : this::weak)
            .listen(0)
            .await();
    int httpsPort = https.actualPort();
    http =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1"))
            .requestHandler(
                req -> {
                  plainRequests.incrementAndGet();
                  if (hardened) {
                    req.response()
                        .setStatusCode(301)
                        .putHeader("Location", "https://127.0.0.1:" + httpsPort + req.uri())
                        .end();
                  } else {
                    req.response().putHeader("Server", "Apache/2.4.1").end("<html>plain</html>");
                  }
                })
            .listen(0)
            .await();
  }

  /** Starts a target that gets every checklist item wrong that a server can. */
  static LocalTarget weak(Vertx vertx, TestPki pki) {
    return new LocalTarget(vertx, pki, false, Integer.MAX_VALUE, false);
  }

  /** Starts a weak target whose TLS stack (BoringSSL) also accepts TLS 1.0 and 1.1. */
  static LocalTarget legacyTls(Vertx vertx, TestPki pki) {
    return new LocalTarget(vertx, pki, false, Integer.MAX_VALUE, true);
  }

  /** Starts a target that gets every checklist item right; it answers 429 after the limit. */
  static LocalTarget hardened(Vertx vertx, TestPki pki, int rateLimit) {
    return new LocalTarget(vertx, pki, true, rateLimit, false);
  }

  int httpsPort() {
    return https.actualPort();
  }

  int httpPort() {
    return http.actualPort();
  }

  String url(String path) {
    return "https://127.0.0.1:" + httpsPort() + path;
  }

  private void weak(HttpServerRequest req) {
    requests.incrementAndGet();
    HttpServerResponse res = req.response();
    res.putHeader("Server", "Apache/2.4.1")
        .putHeader("X-Powered-By", "PHP/5.6.40")
        .putHeader("Set-Cookie", "session=abc123; Path=/");
    String origin = req.getHeader("Origin");
    if (origin != null) {
      res.putHeader("Access-Control-Allow-Origin", origin)
          .putHeader("Access-Control-Allow-Credentials", "true");
    }
    if (req.method() == HttpMethod.OPTIONS) {
      res.putHeader("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE")
          .setStatusCode(204)
          .end();
      return;
    }
    String uri = req.uri();
    boolean provoking =
        (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD)
            || uri.length() > 1000
            || uri.contains("%")
            || uri.contains("$ne");
    if (provoking) {
      res.setStatusCode(500).putHeader("Content-Type", "text/plain").end(STACK_TRACE);
      return;
    }
    if (specialRoute(req)) {
      return;
    }
    res.putHeader("Content-Type", "text/html").end("<html><body>weak</body></html>");
  }

  private void hardened(HttpServerRequest req) {
    int count = requests.incrementAndGet();
    HttpServerResponse res = req.response();
    res.putHeader("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        .putHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        .putHeader("Cross-Origin-Opener-Policy", "same-origin")
        .putHeader("Cross-Origin-Resource-Policy", "same-origin")
        .putHeader("Content-Type", "application/json");
    if (count > rateLimit) {
      res.setStatusCode(429)
          .putHeader("Retry-After", "60")
          .putHeader("RateLimit-Policy", rateLimit + ";w=60")
          .putHeader("RateLimit", "limit=" + rateLimit + ", remaining=0, reset=60")
          .end(error(429, "too many requests"));
      return;
    }
    String origin = req.getHeader("Origin");
    boolean allowed = ALLOWED_ORIGIN.equals(origin);
    if (allowed) {
      res.putHeader("Access-Control-Allow-Origin", ALLOWED_ORIGIN).putHeader("Vary", "Origin");
    }
    HttpMethod method = req.method();
    if (method == HttpMethod.OPTIONS) {
      if (allowed) {
        res.putHeader("Access-Control-Allow-Methods", "GET").setStatusCode(204).end();
      } else {
        res.setStatusCode(403).end(error(403, "origin not allowed"));
      }
      return;
    }
    if (method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.POST) {
      res.setStatusCode(405)
          .putHeader("Allow", "GET, HEAD, POST")
          .end(error(405, "method not allowed"));
      return;
    }
    String uri = req.uri();
    if (uri.contains("%") || uri.contains("$ne") || uri.contains("NaN")) {
      res.setStatusCode(400).end(error(400, "bad request"));
      return;
    }
    if (method == HttpMethod.POST) {
      req.body()
          .onComplete(
              ar -> {
                try {
                  JSON.readTree(ar.succeeded() ? ar.result().getBytes() : new byte[0]);
                  res.setStatusCode(201).end(error(201, "created"));
                } catch (IOException e) {
                  res.setStatusCode(400).end(error(400, "malformed JSON"));
                }
              });
      return;
    }
    if (specialRoute(req)) {
      return;
    }
    if (!"/".equals(req.path())) {
      res.setStatusCode(404).end(error(404, "not found"));
      return;
    }
    res.putHeader("Set-Cookie", "__Host-session=abc; Path=/; Secure; HttpOnly; SameSite=Strict")
        .end("{\"status\":\"ok\"}");
  }

  /** Routes shared by both targets for the hostile-target tests. */
  private boolean specialRoute(HttpServerRequest req) {
    HttpServerResponse res = req.response();
    switch (String.valueOf(req.path())) {
      case "/hang":
        return true; // never answers
      case "/huge":
        res.putHeader("Content-Length", Long.toString(100L * 1024 * 1024));
        writeForever(res, new byte[64 * 1024], 100L * 1024 * 1024);
        return true;
      case "/loop-a":
        res.setStatusCode(302).putHeader("Location", "/loop-b").end();
        return true;
      case "/loop-b":
        res.setStatusCode(302).putHeader("Location", "/loop-a").end();
        return true;
      case "/away":
        res.setStatusCode(302).putHeader("Location", String.valueOf(req.getParam("to"))).end();
        return true;
      default:
        return false;
    }
  }

  private static void writeForever(HttpServerResponse res, byte[] chunk, long remaining) {
    io.vertx.core.buffer.Buffer buffer = io.vertx.core.buffer.Buffer.buffer(chunk);
    long left = remaining;
    while (left > 0 && !res.writeQueueFull() && !res.closed()) {
      res.write(buffer);
      left -= chunk.length;
    }
    if (left > 0 && !res.closed()) {
      long next = left;
      res.drainHandler(v -> writeForever(res, chunk, next));
    } else if (!res.closed()) {
      res.end();
    }
  }

  private static String error(int status, String message) {
    return "{\"error\":\"" + message + "\",\"status\":" + status + ",\"requestId\":\"r-1\"}";
  }

  @Override
  public void close() {
    https.close().await();
    http.close().await();
  }
}
