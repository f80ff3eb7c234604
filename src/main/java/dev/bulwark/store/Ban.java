package dev.bulwark.store;

/**
 * An active ban: the client address, when it ends (epoch milliseconds), why, how many bans the
 * address had before it within the repeat memory, and who made it (a rule name or {@code admin}).
 */
public record Ban(String address, long untilMillis, String reason, int repeat, String by) {
  /** Returns whether the ban still holds at {@code nowMillis}. */
  public boolean activeAt(long nowMillis) {
    return untilMillis > nowMillis;
  }

  /** Returns the whole seconds left at {@code nowMillis}, at least 1 (for {@code Retry-After}). */
  public long secondsLeft(long nowMillis) {
    return Math.max(1, (untilMillis - nowMillis + 999) / 1000);
  }
}
