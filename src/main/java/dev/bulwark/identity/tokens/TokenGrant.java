package dev.bulwark.identity.tokens;

/**
 * What a sign-in or a refresh hands the client: an access token and its lifetime in seconds, the
 * refresh token to present next, and the session id (for listing and revoking sessions). The string
 * form names the session only: tokens never reach a log by accident.
 */
public record TokenGrant(
    String accessToken, long expiresInSeconds, String refreshToken, String sessionId) {
  @Override
  public String toString() {
    return "TokenGrant[session " + sessionId + "]";
  }
}
