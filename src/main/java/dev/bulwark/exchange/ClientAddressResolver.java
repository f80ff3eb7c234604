package dev.bulwark.exchange;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Finds the client's address: the TCP peer, unless the peer is a trusted proxy, in which case the
 * forwarding headers ({@code Forwarded} first, then {@code X-Forwarded-For}) are read from the
 * right, skipping trusted proxies, and the first untrusted address is the client. Malformed headers
 * are ignored (the peer is used), and headers from untrusted peers are never read.
 */
public final class ClientAddressResolver {
  private static final int MAX_HOPS = 32;

  private final CidrSet trusted;

  public ClientAddressResolver(CidrSet trusted) {
    this.trusted = trusted;
  }

  /** Returns whether the peer address is a trusted proxy. */
  public boolean isTrusted(String peer) {
    return !trusted.isEmpty() && trusted.contains(peer);
  }

  /**
   * Returns the client address, given the peer and the (possibly repeated) header values, each list
   * in the order received.
   */
  public String resolve(String peer, List<String> forwarded, List<String> xForwardedFor) {
    if (trusted.isEmpty() || !trusted.contains(peer)) {
      return canonical(peer);
    }
    String fromForwarded = walk(forwarded, true);
    if (fromForwarded != null) {
      return fromForwarded;
    }
    String fromXff = walk(xForwardedFor, false);
    return fromXff != null ? fromXff : canonical(peer);
  }

  private @Nullable String walk(List<String> headerValues, boolean forwardedSyntax) {
    if (headerValues.isEmpty()) {
      return null;
    }
    String joined = String.join(",", headerValues);
    String[] hops = joined.split(",", MAX_HOPS + 1);
    if (hops.length > MAX_HOPS) {
      return null;
    }
    String leftmostValid = null;
    for (int i = hops.length - 1; i >= 0; i--) {
      String addr = forwardedSyntax ? forwardedFor(hops[i]) : hops[i].trim();
      if (addr == null) {
        return null;
      }
      byte[] a = IpAddresses.parse(stripPort(addr));
      if (a == null) {
        return null;
      }
      leftmostValid = IpAddresses.format(a);
      if (!trusted.contains(a)) {
        return leftmostValid;
      }
    }
    return leftmostValid;
  }

  private static @Nullable String forwardedFor(String element) {
    for (String pair : element.split(";")) {
      String p = pair.trim();
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
        String v = p.substring(eq + 1).trim();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
          v = v.substring(1, v.length() - 1);
        }
        return v;
      }
    }
    return null;
  }

  private static String stripPort(String addr) {
    if (addr.startsWith("[")) {
      int end = addr.indexOf(']');
      return end > 0 ? addr.substring(1, end) : addr;
    }
    int colon = addr.indexOf(':');
    if (colon > 0 && colon == addr.lastIndexOf(':')) {
      return addr.substring(0, colon);
    }
    return addr;
  }

  private static String canonical(String peer) {
    if (peer.indexOf(':') < 0) {
      return peer;
    }
    byte[] a = IpAddresses.parse(peer);
    return a == null ? peer : IpAddresses.format(a);
  }
}
