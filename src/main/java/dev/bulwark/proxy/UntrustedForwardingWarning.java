package dev.bulwark.proxy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Warns, at most once per interval, that requests from a peer outside {@code trusted-proxies} carry
 * {@code X-Forwarded-For} or {@code Forwarded}: the usual sign of a load balancer or reverse proxy
 * that was not listed, behind which every client shares the proxy's address for bans, rate limits
 * and ip-filter. The headers themselves are never believed from such a peer.
 */
public final class UntrustedForwardingWarning {
  private static final Logger LOG = Logger.getLogger(UntrustedForwardingWarning.class.getName());

  private final long intervalNanos;
  private final String interval;
  private final LongSupplier clock;
  private final AtomicLong nextAt;
  private final LongAdder held = new LongAdder();

  public UntrustedForwardingWarning(Duration interval) {
    this(interval, System::nanoTime);
  }

  UntrustedForwardingWarning(Duration interval, LongSupplier clock) {
    this.intervalNanos = interval.toNanos();
    this.interval = interval.toMinutes() + " minutes";
    this.clock = clock;
    this.nextAt = new AtomicLong(clock.getAsLong());
  }

  /**
   * Notes one request from an untrusted peer; when it carries a forwarding header and no warning
   * was written within the interval, writes one and returns it (else returns null).
   */
  public @Nullable String note(String peer, boolean forwarded, boolean xForwardedFor) {
    if (!forwarded && !xForwardedFor) {
      return null;
    }
    long now = clock.getAsLong();
    long due = nextAt.get();
    if (now - due < 0 || !nextAt.compareAndSet(due, now + intervalNanos)) {
      held.increment();
      return null;
    }
    long others = held.sumThenReset();
    String message =
        "requests from "
            + peer
            + " carry "
            + (xForwardedFor ? "X-Forwarded-For" : "Forwarded")
            + " but "
            + peer
            + " is not in trusted-proxies, so the header is ignored: if it is your load balancer"
            + " or reverse proxy, add it to trusted-proxies, or every client behind it shares its"
            + " address for bans, rate limits and ip-filter"
            + (others > 0 ? " (" + others + " more such requests since the last warning)" : "")
            + "; next warning in "
            + interval
            + " at the earliest";
    LOG.warning(message);
    return message;
  }
}
