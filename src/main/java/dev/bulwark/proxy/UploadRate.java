package dev.bulwark.proxy;

import dev.bulwark.config.RouteLimits;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.LoopTimer;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import org.jspecify.annotations.Nullable;

/**
 * Refuses a request body that arrives slower than the route's minimum upload rate: once {@link
 * #GRACE_MILLIS} have passed since the gateway began reading it, and then every second, the bytes
 * received must average at least the rate over the whole time. A trickling client is refused long
 * before the body timeout. Watches every way a body is read: whole or streamed by the proxy, and
 * whole by a stage ({@link Exchange#readBody}, as the contract policy does). Confined to the
 * exchange's event loop.
 */
public final class UploadRate implements Handler<Void> {
  /** Room for a slow start, a radio waking up or a client preparing its first bytes. */
  static final long GRACE_MILLIS = 5_000;

  /** The request body arrives slower than the route's {@code min-upload-rate}. */
  static final Denial TOO_SLOW =
      Denial.closing(
          408, "request timeout", "body arriving slower than the route's minimum upload rate");

  private final Context context;
  private final Exchange ex;
  private final long bytesPerSecond;
  private final Runnable tooSlow;
  private final long startNanos;
  private final long startBytes;
  private @Nullable LoopTimer timer;

  /** Starts watching now; {@code tooSlow} runs at most once, on the exchange's event loop. */
  UploadRate(Context context, Exchange ex, long bytesPerSecond, Runnable tooSlow) {
    this.context = context;
    this.ex = ex;
    this.bytesPerSecond = bytesPerSecond;
    this.tooSlow = tooSlow;
    this.startNanos = System.nanoTime();
    this.startBytes = ex.bytesIn();
    this.timer = LoopTimer.arm(context, GRACE_MILLIS, this);
  }

  /**
   * Starts watching a body that a stage reads whole, from now on: too slow, the exchange is denied
   * with 408 and its connection closed. Nothing when the route sets no minimum; the watch ends by
   * itself once the body has arrived or the exchange has been answered.
   */
  public static void watchStageRead(Context context, Exchange ex, RouteLimits limits) {
    if (limits.minUploadRate() > 0) {
      // stopped when the exchange ends: its 5 s grace timer held every such exchange (and its
      // body) for 5 s after its answer, which filled a small heap at a few thousand requests a
      // second (the idempotent POST bench row died of it)
      ex.stopUploadWatch(
          new UploadRate(context, ex, limits.minUploadRate(), () -> ex.deny(TOO_SLOW))::stop);
    }
  }

  @Override
  public void handle(Void v) {
    timer = null;
    if (ex.finishedOrResponded() || ex.httpRequest().isEnded()) {
      return;
    }
    long elapsedMillis = (System.nanoTime() - startNanos) / 1_000_000;
    long received = ex.bytesIn() - startBytes;
    if (received * 1000 < bytesPerSecond * elapsedMillis) {
      tooSlow.run();
    } else {
      timer = LoopTimer.arm(context, 1000, this);
    }
  }

  /** Stops watching (the body arrived, or the exchange ended another way). */
  void stop() {
    LoopTimer t = timer;
    if (t != null) {
      t.cancel();
      timer = null;
    }
  }
}
