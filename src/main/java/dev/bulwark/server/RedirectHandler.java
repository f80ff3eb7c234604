package dev.bulwark.server;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;

/**
 * The plain-HTTP listener's only answer: 308 to the same host, path and query over HTTPS. It never
 * proxies; a request without a usable host gets 400.
 */
final class RedirectHandler implements Handler<HttpServerRequest> {
  private final int httpsPort;

  RedirectHandler(int httpsPort) {
    this.httpsPort = httpsPort;
  }

  @Override
  public void handle(HttpServerRequest req) {
    HostAndPort authority = req.authority();
    String uri = req.uri();
    if (authority == null || uri == null || !uri.startsWith("/") || !isHostName(authority.host())) {
      req.response()
          .setStatusCode(400)
          .putHeader("content-type", "application/json")
          .putHeader("connection", "close")
          .end("{\"error\":\"bad request\",\"status\":400,\"requestId\":\"-\"}");
      return;
    }
    String host = authority.host();
    if (host.indexOf(':') >= 0) {
      host = "[" + host + "]";
    }
    String location = "https://" + host + (httpsPort == 443 ? "" : ":" + httpsPort) + uri;
    req.response()
        .setStatusCode(308)
        .putHeader("location", location)
        .putHeader("content-length", "0")
        .putHeader("cache-control", "no-store")
        .putHeader("connection", "close")
        .end();
  }

  private static boolean isHostName(String h) {
    if (h.isEmpty() || h.length() > 253) {
      return false;
    }
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      if (!(c >= 'a' && c <= 'z')
          && !(c >= 'A' && c <= 'Z')
          && !(c >= '0' && c <= '9')
          && c != '.'
          && c != '-'
          && c != ':') {
        return false;
      }
    }
    return true;
  }
}
