package dev.bulwark.proxy;

import dev.bulwark.exchange.Exchange;
import dev.bulwark.routing.RequestHost;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;

/**
 * Rebuilds {@code X-Forwarded-For/-Proto/-Host}, {@code Forwarded} and {@code X-Request-Id} for the
 * upstream: incoming values are kept (and extended) only when the peer is a trusted proxy.
 */
final class ForwardingHeaders {
  private ForwardingHeaders() {}

  static void set(HttpServerRequest req, Exchange ex, boolean trustedPeer, MultiMap out) {
    String peer =
        req.remoteAddress() == null ? ex.clientAddress() : req.remoteAddress().hostAddress();
    String host = new RequestHost(ex.host(), ex.hostPort()).authority(443);
    String xff = req.getHeader("x-forwarded-for");
    String forwarded = req.getHeader("forwarded");
    String proto = "https";
    String fwdHost = host;
    if (trustedPeer) {
      String p = req.getHeader("x-forwarded-proto");
      if ("http".equals(p) || "https".equals(p)) {
        proto = p;
      }
      String h = req.getHeader("x-forwarded-host");
      if (h != null && isHostValue(h)) {
        fwdHost = h;
      }
    }
    out.set("x-forwarded-for", trustedPeer && xff != null ? xff + ", " + peer : peer);
    out.set("x-forwarded-proto", proto);
    out.set("x-forwarded-host", fwdHost);
    String element = "for=" + forwardedNode(peer) + ";proto=" + proto + ";host=\"" + fwdHost + "\"";
    out.set("forwarded", trustedPeer && forwarded != null ? forwarded + ", " + element : element);
    out.set("x-request-id", ex.requestId());
  }

  private static String forwardedNode(String address) {
    return address.indexOf(':') >= 0 ? "\"[" + address + "]\"" : address;
  }

  private static boolean isHostValue(String h) {
    if (h.isEmpty() || h.length() > 255) {
      return false;
    }
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      if (!(Character.isLetterOrDigit(c) && c < 128)
          && c != '.'
          && c != '-'
          && c != ':'
          && c != '['
          && c != ']') {
        return false;
      }
    }
    return true;
  }
}
