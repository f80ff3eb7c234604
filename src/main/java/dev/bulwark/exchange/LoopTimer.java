package dev.bulwark.exchange;

import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.TimeUnit;

/**
 * A one-shot deadline on the event loop of the context that arms it, cheap enough to arm and cancel
 * on every request: Vert.x's {@code setTimer} also registers each timer in a shared map, as a close
 * hook of the verticle and under a new id, which the per-request timers (upstream response, request
 * body) paid twice per exchange. The handler still runs on the arming context, so it sees the same
 * Vert.x context as the exchange it belongs to.
 */
public final class LoopTimer {
  private final ScheduledFuture<?> future;

  private LoopTimer(ScheduledFuture<?> future) {
    this.future = future;
  }

  /**
   * Runs {@code handler} on {@code context} after {@code delayMillis} (at least 1) unless cancelled
   * first; must be called on that context's event loop.
   */
  public static LoopTimer arm(Context context, long delayMillis, Handler<Void> handler) {
    ContextInternal ctx = (ContextInternal) context;
    return new LoopTimer(
        ctx.nettyEventLoop()
            .schedule(
                () -> ctx.runOnContext(handler), Math.max(1, delayMillis), TimeUnit.MILLISECONDS));
  }

  /** Cancels the deadline; does nothing when it has already fired. */
  public void cancel() {
    future.cancel(false);
  }
}
