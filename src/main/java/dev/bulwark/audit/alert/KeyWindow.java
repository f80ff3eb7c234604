package dev.bulwark.audit.alert;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The count of one rule for one key: a sliding window estimated from two fixed buckets (the current
 * one, plus the previous one weighted by how much of it the window still covers), as rate limiters
 * do, so each key costs a few fields whatever the threshold; the time of the first event counted
 * since the last alert; the request ids of the last few; and the cool-down after an alert, during
 * which events are counted as held back. Thread-safe.
 */
final class KeyWindow {
  /** What {@link #add} decided. */
  record Fired(long count, long firstEventMillis, List<String> samples, long suppressed) {
    /** Returns whether the threshold was reached during the cool-down: the events were held. */
    boolean held() {
      return count < 0;
    }
  }

  private static final Fired HELD = new Fired(-1, -1, List.of(), 0);

  private final long windowMillis;
  private final long coolDownMillis;
  private long bucketStart;
  private long current;
  private long previous;
  private long firstEventMillis = -1;
  private final String[] samples = new String[Alert.MAX_SAMPLES];
  private int sampleCount;
  private int nextSample;
  private long firedAt;
  private boolean fired;
  private long suppressed;

  KeyWindow(long windowMillis, long coolDownMillis, long nowMillis) {
    this.windowMillis = windowMillis;
    this.coolDownMillis = coolDownMillis;
    this.bucketStart = nowMillis;
  }

  /**
   * Counts {@code n} events at {@code nowMillis} (the event that carries them happened at {@code
   * eventMillis}, with request id {@code requestId}); returns what to fire, a {@link Fired#held()}
   * one when the key is cooling down, or null when the threshold is not reached.
   */
  synchronized @Nullable Fired add(
      long nowMillis, long n, long eventMillis, String requestId, int threshold) {
    roll(nowMillis);
    current += n;
    if (firstEventMillis < 0) {
      firstEventMillis = eventMillis;
    }
    samples[nextSample] = requestId;
    nextSample = (nextSample + 1) % samples.length;
    sampleCount = Math.min(sampleCount + 1, samples.length);
    long count = estimate(nowMillis);
    if (count < threshold) {
      return null;
    }
    if (fired && nowMillis - firedAt < coolDownMillis) {
      suppressed += n;
      return HELD;
    }
    Fired f = new Fired(count, firstEventMillis, samples(), suppressed);
    fired = true;
    firedAt = nowMillis;
    suppressed = 0;
    firstEventMillis = -1;
    sampleCount = 0;
    return f;
  }

  private void roll(long nowMillis) {
    long elapsed = nowMillis - bucketStart;
    if (elapsed < windowMillis) {
      return;
    }
    long buckets = elapsed / windowMillis;
    previous = buckets == 1 ? current : 0;
    current = 0;
    bucketStart += buckets * windowMillis;
    if (previous == 0) {
      // Nothing counted any more: the next alert's first event is the next one.
      firstEventMillis = -1;
      sampleCount = 0;
    }
  }

  private long estimate(long nowMillis) {
    long left = windowMillis - (nowMillis - bucketStart);
    return current + (previous * left + windowMillis - 1) / windowMillis;
  }

  private List<String> samples() {
    List<String> out = new ArrayList<>(sampleCount);
    for (int i = sampleCount; i > 0; i--) {
      out.add(samples[Math.floorMod(nextSample - i, samples.length)]);
    }
    return out;
  }
}
