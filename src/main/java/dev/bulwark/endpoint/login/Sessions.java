package dev.bulwark.endpoint.login;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.identity.tokens.RefreshOutcome;

/**
 * {@code POST refresh} and {@code POST logout}: a refresh token exchanged for new ones (every
 * refusal, a reuse included, answers 401 {@code invalid_grant}; the token service revokes the
 * family of a reused token and reports it); one session signed out by its refresh token, or every
 * session of the account of a valid access token ({@code "everywhere": true}).
 */
final class Sessions {
  private static final String BEARER = "bearer ";

  private final LoginServices s;

  Sessions(LoginServices services) {
    this.s = services;
  }

  void refresh(Exchange ex, JsonNode body) {
    String token = LoginEndpoint.text(body, "refresh_token");
    if (token == null) {
      LoginEndpoint.deny(ex, LoginEndpoint.INVALID_GRANT);
      return;
    }
    LoginEndpoint.after(
        ex,
        s.tokens().refresh(token, LoginEndpoint.origin(ex), s.claims()),
        (outcome, failure) -> {
          if (failure != null) {
            LoginEndpoint.unavailable(ex, failure);
          } else if (outcome instanceof RefreshOutcome.Granted g) {
            LoginEndpoint.tokens(ex, g.grant());
          } else {
            LoginEndpoint.deny(ex, LoginEndpoint.INVALID_GRANT);
          }
        });
  }

  void logout(Exchange ex, JsonNode body) {
    String token = LoginEndpoint.text(body, "refresh_token");
    if (token != null) {
      LoginEndpoint.after(
          ex,
          s.tokens().signOut(token, LoginEndpoint.origin(ex)),
          (live, failure) -> {
            if (failure != null) {
              LoginEndpoint.unavailable(ex, failure);
            } else {
              LoginEndpoint.noContent(ex);
            }
          });
      return;
    }
    JsonNode everywhere = body.get("everywhere");
    String auth = ex.request().header("authorization");
    if (everywhere == null
        || !everywhere.asBoolean(false)
        || auth == null
        || !auth.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      LoginEndpoint.invalidToken(ex);
      return;
    }
    s.accessTokens()
        .account(
            auth.substring(BEARER.length()).trim(),
            account ->
                ex.resume(
                    () -> {
                      if (account == null) {
                        LoginEndpoint.invalidToken(ex);
                        return;
                      }
                      LoginEndpoint.after(
                          ex,
                          s.tokens()
                              .revokeAll(account, LoginEndpoint.origin(ex), "sign-out-everywhere"),
                          (n, failure) -> {
                            if (failure != null) {
                              LoginEndpoint.unavailable(ex, failure);
                            } else {
                              LoginEndpoint.noContent(ex);
                            }
                          });
                    }));
  }
}
