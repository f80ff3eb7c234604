package dev.bulwark.proxy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory that request bodies read whole before forwarding may reserve together, in the whole
 * process: a quarter of the maximum heap. Each body reserves its declared length, or the route's
 * body limit when the length is unknown, until the upstream has answered; a body that does not fit
 * is streamed instead, so many large uploads at once cannot exhaust the heap.
 */
final class RequestBodyBudget {
  private static final long LIMIT = Runtime.getRuntime().maxMemory() / 4;
  private static final AtomicLong RESERVED = new AtomicLong();

  private RequestBodyBudget() {}

  /** Reserves {@code bytes}, or returns false (reserving nothing) when they do not fit. */
  static boolean tryReserve(long bytes) {
    if (RESERVED.addAndGet(bytes) > LIMIT) {
      RESERVED.addAndGet(-bytes);
      return false;
    }
    return true;
  }

  /** Gives back what {@link #tryReserve} reserved. */
  static void release(long bytes) {
    RESERVED.addAndGet(-bytes);
  }
}
