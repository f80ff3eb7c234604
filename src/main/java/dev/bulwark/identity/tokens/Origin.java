package dev.bulwark.identity.tokens;

import static java.util.Objects.requireNonNull;

/**
 * Where a sign-in, refresh or sign-out came from: the request id (for security events), the client
 * address, and the user agent (cut to {@link #MAX_USER_AGENT} characters, control characters
 * replaced, so that a session list shows nothing a client could use to forge lines).
 */
public record Origin(String requestId, String clientAddress, String userAgent) {
  /** The longest user agent kept. */
  public static final int MAX_USER_AGENT = 256;

  public Origin {
    requireNonNull(requestId, "requestId");
    requireNonNull(clientAddress, "clientAddress");
    userAgent = bounded(requireNonNull(userAgent, "userAgent"));
    if (clientAddress.length() > 64) {
      clientAddress = clientAddress.substring(0, 64);
    }
  }

  private static String bounded(String ua) {
    String cut = ua.length() > MAX_USER_AGENT ? ua.substring(0, MAX_USER_AGENT) : ua;
    StringBuilder b = new StringBuilder(cut.length());
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      b.append(c < 0x20 || c == 0x7f || Character.isSurrogate(c) ? '?' : c);
    }
    return b.toString();
  }
}
