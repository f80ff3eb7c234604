package dev.bulwark.admin;

import static java.util.Objects.requireNonNull;

import dev.bulwark.exchange.ErrorJson;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One admin request as a handler sees it (method, path, the values of its path template, headers,
 * the whole body read within the route's limit, the request id) and the one way to answer it. Every
 * answer carries {@code Cache-Control: no-store}, {@code X-Content-Type-Options: nosniff} and the
 * request id; errors are {@code {"error","status","requestId"}}. An answer may be made from any
 * thread: it is written on the request's event loop.
 */
public final class AdminCall {
  private final HttpServerRequest request;
  private final Context context;
  private final String requestId;
  private final Map<String, String> params;
  private final byte[] body;
  private final AtomicBoolean answered = new AtomicBoolean();

  AdminCall(
      HttpServerRequest request,
      Context context,
      String requestId,
      Map<String, String> params,
      byte[] body) {
    this.request = request;
    this.context = context;
    this.requestId = requestId;
    this.params = Map.copyOf(params);
    this.body = body;
  }

  /** Returns the request method, upper case. */
  public String method() {
    return request.method().name();
  }

  /** Returns the request path as sent (not decoded). */
  public String path() {
    String p = request.path();
    return p == null ? "" : p;
  }

  /** Returns the raw (not decoded) path segment that the route's {@code {name}} matched. */
  public String param(String name) {
    return requireNonNull(params.get(name), name);
  }

  /** Returns the address of the peer that sent the call, or {@code -} when unknown. */
  public String peerAddress() {
    var a = request.remoteAddress();
    String h = a == null ? null : a.hostAddress();
    return h == null ? "-" : h;
  }

  /** Returns the first value of a query parameter (decoded), or null. */
  public @Nullable String query(String name) {
    return request.getParam(name);
  }

  /** Returns a request header, or null. */
  public @Nullable String header(String name) {
    return request.getHeader(name);
  }

  /** Returns the request body (empty when none was sent). */
  public byte[] body() {
    return body.clone();
  }

  /** Returns whether the call came over TLS. */
  public boolean secure() {
    return request.isSSL();
  }

  /** Returns the request (for the listener's own credential check). */
  HttpServerRequest request() {
    return request;
  }

  /** Returns the id that this call's answer and log lines carry. */
  public String requestId() {
    return requestId;
  }

  /** Answers with a JSON body. */
  public void json(int status, String json) {
    send(status, "application/json", json);
  }

  /** Answers with the gateway's JSON error body. */
  public void error(int status, String message) {
    send(status, ErrorJson.CONTENT_TYPE, ErrorJson.body(status, message, requestId));
  }

  /**
   * Answers with the gateway's JSON error body and a {@code field} member naming the request field
   * that is not valid.
   */
  public void error(int status, String message, String field) {
    StringBuilder quoted = new StringBuilder(field.length() + 16).append("\"field\":\"");
    com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(field, quoted);
    send(
        status,
        ErrorJson.CONTENT_TYPE,
        ErrorJson.body(status, message, requestId, quoted.append('"').toString()));
  }

  /** Answers with a body of the given content type. */
  public void send(int status, String contentType, String body) {
    send(status, contentType, Buffer.buffer(body.getBytes(StandardCharsets.UTF_8)));
  }

  private void send(int status, String contentType, Buffer body) {
    if (!answered.compareAndSet(false, true)) {
      throw new IllegalStateException("admin call " + requestId + " answered twice");
    }
    if (io.vertx.core.Vertx.currentContext() == context) {
      write(request, requestId, status, contentType, body, false);
    } else {
      context.runOnContext(v -> write(request, requestId, status, contentType, body, false));
    }
  }

  /**
   * Writes an answer; with {@code close}, an HTTP/1 connection is closed after it (the unread rest
   * of a body cannot be skipped safely), and an HTTP/2 stream just ends.
   */
  static void write(
      HttpServerRequest request,
      String requestId,
      int status,
      String contentType,
      Buffer body,
      boolean close) {
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    boolean http1 = request.version() != HttpVersion.HTTP_2;
    if (close && http1) {
      response.putHeader("connection", "close");
    }
    response
        .setStatusCode(status)
        .putHeader("content-type", contentType)
        .putHeader("cache-control", "no-store")
        .putHeader("x-content-type-options", "nosniff")
        .putHeader("x-request-id", requestId)
        .end(body)
        .onComplete(
            v -> {
              if (close && http1) {
                request.connection().close();
              }
            });
  }

  /** Writes a JSON error answer (the router's own refusals). */
  static void writeError(
      HttpServerRequest request, String requestId, int status, String message, boolean close) {
    write(
        request,
        requestId,
        status,
        ErrorJson.CONTENT_TYPE,
        ErrorJson.body(status, message, requestId),
        close);
  }

  /**
   * Sets a response header of the coming answer (such as {@code Retry-After}); call it on the
   * thread that handles the call, before answering.
   */
  public AdminCall responseHeader(String name, String value) {
    request.response().putHeader(name, value);
    return this;
  }

  /** Returns whether this call has been answered. */
  boolean answered() {
    return answered.get();
  }
}
