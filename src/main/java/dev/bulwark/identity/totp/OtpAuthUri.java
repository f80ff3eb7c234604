package dev.bulwark.identity.totp;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;

/**
 * The {@code otpauth://totp/...} URI that authenticator apps enrol from (the Key Uri Format of
 * Google Authenticator): {@code otpauth://totp/Issuer:login?secret=...&issuer=...&algorithm=SHA1
 * &digits=6&period=30}. Issuer and login are percent-encoded as UTF-8, every character but RFC
 * 3986's unreserved ones escaped (so a colon, a space, {@code &}, {@code #} or {@code ?} in either
 * cannot change the URI's structure; a space is {@code %20}, never {@code +}).
 */
public final class OtpAuthUri {
  private OtpAuthUri() {}

  /** Returns the URI of {@code secret} for the account {@code login} at {@code issuer}. */
  public static String of(String issuer, String login, TotpSecret secret) {
    requireNonNull(issuer, "issuer");
    requireNonNull(login, "login");
    requireNonNull(secret, "secret");
    return "otpauth://totp/"
        + escape(issuer)
        + ':'
        + escape(login)
        + "?secret="
        + secret.base32()
        + "&issuer="
        + escape(issuer)
        + "&algorithm=SHA1&digits="
        + Totp.DIGITS
        + "&period="
        + Totp.PERIOD_SECONDS;
  }

  /** Returns {@code s} percent-encoded as UTF-8, keeping only RFC 3986's unreserved characters. */
  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length() * 3);
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
