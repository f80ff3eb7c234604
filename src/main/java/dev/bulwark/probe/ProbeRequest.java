package dev.bulwark.probe;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An HTTP/1.x request the probe sends; the client adds {@code Host}, {@code User-Agent}, framing
 * and connection headers unless the request sets them itself.
 *
 * @param method the request method, sent as given
 * @param target the request target (path and query)
 * @param headers extra header fields, in order
 * @param body the request body, sent as UTF-8; empty for none
 */
public record ProbeRequest(String method, String target, List<HeaderField> headers, String body) {

  /** Checks and copies the components. */
  public ProbeRequest {
    requireNonNull(method, "method");
    requireNonNull(target, "target");
    requireNonNull(body, "body");
    headers = List.copyOf(headers);
  }

  /** Returns a GET request for the given target without extra headers. */
  public static ProbeRequest get(String target) {
    return new ProbeRequest("GET", target, List.of(), "");
  }

  /** Returns a copy of this request with one more header field. */
  public ProbeRequest withHeader(String name, String value) {
    List<HeaderField> more = new ArrayList<>(headers);
    more.add(new HeaderField(name, value));
    return new ProbeRequest(method, target, more, body);
  }

  /** Returns whether the request itself sets the named header. */
  public boolean sets(String name) {
    return headers.stream().anyMatch(h -> h.is(name));
  }

  /** Returns the bytes on the wire for the given authority and user agent. */
  byte[] encode(String authority, String userAgent, boolean keepAlive) {
    byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder(256);
    head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    if (!sets("Host")) {
      head.append("Host: ").append(authority).append("\r\n");
    }
    if (!sets("User-Agent")) {
      head.append("User-Agent: ").append(userAgent).append("\r\n");
    }
    if (!sets("Accept")) {
      head.append("Accept: */*\r\n");
    }
    for (HeaderField h : headers) {
      head.append(h.name()).append(": ").append(h.value()).append("\r\n");
    }
    if (bodyBytes.length > 0 && !sets("Content-Length") && !sets("Transfer-Encoding")) {
      head.append("Content-Length: ").append(bodyBytes.length).append("\r\n");
    }
    if (!sets("Connection")) {
      head.append("Connection: ").append(keepAlive ? "keep-alive" : "close").append("\r\n");
    }
    head.append("\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[headBytes.length + bodyBytes.length];
    System.arraycopy(headBytes, 0, all, 0, headBytes.length);
    System.arraycopy(bodyBytes, 0, all, headBytes.length, bodyBytes.length);
    return all;
  }

  @Override
  public String toString() {
    return method + " " + (target.length() > 80 ? target.substring(0, 77) + "..." : target);
  }
}
