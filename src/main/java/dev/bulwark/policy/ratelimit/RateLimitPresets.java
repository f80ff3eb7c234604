package dev.bulwark.policy.ratelimit;

import dev.bulwark.policy.ratelimit.RateLimitConfig.KeyKind;
import dev.bulwark.policy.ratelimit.RateLimitConfig.KeyPart;
import dev.bulwark.policy.ratelimit.RateLimitConfig.Limit;
import java.time.Duration;
import java.util.List;

/** Ready-made limits for common kinds of route. */
final class RateLimitPresets {
  private RateLimitPresets() {}

  /**
   * For login-like routes (password, OTP, token endpoints): per client address, a burst of 5 then
   * one every 12 seconds, and at most 30 an hour, so guessing is slow and a spray is visible.
   */
  static RateLimitConfig login() {
    List<KeyPart> ip = List.of(new KeyPart(KeyKind.IP, ""));
    return new RateLimitConfig(
        List.of(
            new Limit("login-burst", ip, 5, Duration.ofMinutes(1), 5, true),
            new Limit("login-hourly", ip, 30, Duration.ofHours(1), 30, true)));
  }
}
