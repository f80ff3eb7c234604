package dev.bulwark.audit.alert;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The signature of a webhook delivery, sent as {@code Bulwark-Signature: t=TIMESTAMP,v1=HEX}: HEX
 * is the lower-case hex HMAC-SHA256, keyed with the webhook's secret, of the timestamp (seconds
 * since the epoch, in decimal), a dot, and the exact bytes of the body. The receiver recomputes it,
 * compares in constant time, and refuses a timestamp too far from its own clock (a replay).
 */
public final class WebhookSignature {
  /** The header the signature is sent in. */
  public static final String HEADER = "Bulwark-Signature";

  private WebhookSignature() {}

  /** Returns the header value for {@code body} sent at {@code epochSeconds}. */
  public static String header(byte[] secret, long epochSeconds, byte[] body) {
    return "t=" + epochSeconds + ",v1=" + HexFormat.of().formatHex(mac(secret, epochSeconds, body));
  }

  /**
   * Returns whether {@code header} is a valid signature of {@code body} under {@code secret}, made
   * within {@code toleranceSeconds} of {@code nowEpochSeconds}.
   */
  public static boolean verify(
      byte[] secret,
      @Nullable String header,
      byte[] body,
      long nowEpochSeconds,
      long toleranceSeconds) {
    if (header == null) {
      return false;
    }
    long t = -1;
    byte @Nullable [] given = null;
    for (String part : header.split(",", 8)) {
      String p = part.trim();
      try {
        if (p.startsWith("t=")) {
          t = Long.parseLong(p.substring(2));
        } else if (p.startsWith("v1=") && p.length() == 3 + 64) {
          given = HexFormat.of().parseHex(p.substring(3));
        }
      } catch (IllegalArgumentException malformed) {
        return false;
      }
    }
    if (t < 0 || given == null || Math.abs(nowEpochSeconds - t) > toleranceSeconds) {
      return false;
    }
    return MessageDigest.isEqual(given, mac(secret, t, body));
  }

  private static byte[] mac(byte[] secret, long epochSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update((epochSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
