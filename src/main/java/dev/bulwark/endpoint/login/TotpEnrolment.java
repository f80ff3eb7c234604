package dev.bulwark.endpoint.login;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.identity.tokens.SessionInfo;
import dev.bulwark.identity.totp.EnrolmentQrCode;
import dev.bulwark.identity.totp.OtpAuthUri;
import dev.bulwark.identity.totp.TotpSecret;
import dev.bulwark.store.Account;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code POST totp/enrol}: an account with a valid access token of a session signed in within the
 * last {@link #FRESH_SIGN_IN} (GitHub's "sudo mode", OIDC's {@code max_age}) and no TOTP yet gets a
 * new secret, its {@code otpauth://} URI and QR code (SVG), and the {@code enrolment_token} that
 * carries it to {@code totp/confirm}. Nothing is active until a code confirms it, and nothing is
 * stored but the token's hash ({@link EnrolmentTokens}). An older sign-in answers 401 {@code
 * insufficient_user_authentication} with {@code max_age} in its challenge (RFC 9470); an account
 * with TOTP answers 409: it must remove it first.
 */
final class TotpEnrolment {
  /** How recent the sign-in behind the access token must be. */
  static final Duration FRESH_SIGN_IN = Duration.ofMinutes(10);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final LoginServices s;

  TotpEnrolment(LoginServices services) {
    this.s = services;
  }

  void run(Exchange ex) {
    AccountCallers.resolve(
        ex,
        s,
        (a, session) ->
            LoginEndpoint.after(
                ex,
                s.tokens().sessions(a.id()),
                (live, failure) -> {
                  if (failure != null) {
                    LoginEndpoint.unavailable(ex, failure);
                    return;
                  }
                  Instant since = s.clock().instant().minus(FRESH_SIGN_IN);
                  boolean fresh =
                      live.stream()
                          .filter(i -> i.sessionId().equals(session))
                          .map(SessionInfo::created)
                          .anyMatch(created -> created.isAfter(since));
                  if (!fresh) {
                    LoginEndpoint.staleSignIn(ex, FRESH_SIGN_IN.toSeconds());
                  } else if (a.totpEnrolled()) {
                    LoginEndpoint.deny(ex, LoginEndpoint.ALREADY_ENROLLED);
                  } else {
                    start(ex, a);
                  }
                }));
  }

  private void start(Exchange ex, Account a) {
    TotpSecret secret = TotpSecret.generate(RANDOM);
    LoginEndpoint.after(
        ex,
        s.enrolments().issue(a.id(), secret),
        (issued, failure) -> {
          if (failure != null) {
            LoginEndpoint.unavailable(ex, failure);
            return;
          }
          if (issued.isEmpty()) {
            LoginEndpoint.invalidToken(ex); // the account was deleted meanwhile
            return;
          }
          String uri = OtpAuthUri.of(s.totpIssuer(), a.loginName(), secret);
          s.security().publish(event(ex, SecurityEventKind.SECOND_FACTOR_ENROLMENT_STARTED, a));
          ObjectNode o = LoginEndpoint.object();
          o.put("secret", secret.base32());
          o.put("otpauth_uri", uri);
          o.put("qr_svg", EnrolmentQrCode.of(uri).svg());
          o.put("enrolment_token", issued.get().token());
          o.put("expires_in", issued.get().expiresIn());
          LoginEndpoint.ok(ex, o);
        });
  }

  /** Returns the event of an account's own change to its second factor. */
  static SecurityEvent event(Exchange ex, SecurityEventKind kind, Account a) {
    return SecurityEvent.accountChanged(
        kind, ex.requestId(), ex.clientAddress(), a.id(), a.id(), "-");
  }
}
