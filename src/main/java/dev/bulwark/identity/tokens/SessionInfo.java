package dev.bulwark.identity.tokens;

import java.time.Instant;
import java.util.List;

/**
 * One live session of an account, as a user or an administrator sees it: its id, when it began and
 * was last used, how it signed in, and from where (the client address last seen and the user agent
 * at sign-in, bounded).
 */
public record SessionInfo(
    String sessionId,
    Instant created,
    Instant lastUsed,
    Instant expires,
    List<String> amr,
    String clientAddress,
    String userAgent) {
  public SessionInfo {
    amr = List.copyOf(amr);
  }
}
