package dev.bulwark.testing;

import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.ReadContext;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyFactory;
import dev.bulwark.policy.Stage;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A feature that exists only for tests: a route with {@code blocking-work: { sleep: 1s }} does that
 * much blocking work on the gateway's blocking executor (as password hashing would), then answers
 * {@code 204} itself with the name of the thread the work ran on ({@code x-worked-on}) and of the
 * thread the continuation ran on ({@code x-continued-on}).
 */
public final class BlockingWorkFeature implements PolicyFactory<Duration> {
  @Override
  public String name() {
    return "blocking-work";
  }

  @Override
  public List<Stage> stages() {
    return List.of(Stage.AUTHN);
  }

  @Override
  public Place place() {
    return Place.ROUTE_ONLY;
  }

  @Override
  public List<String> keys() {
    return List.of("blocking-work");
  }

  @Override
  public Class<Duration> type() {
    return Duration.class;
  }

  @Override
  public Duration absent() {
    return Duration.ZERO;
  }

  @Override
  public Duration read(ConfigNode holder, Duration inherited, ReadContext context) {
    ConfigNode n = holder.get("blocking-work");
    if (!n.expectMapping(Set.of("sleep"))) {
      return inherited;
    }
    return n.get("sleep").duration(Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1));
  }

  @Override
  public Compilation compile(GatewayContext gateway) {
    return route -> {
      Duration sleep = route.section(Duration.class);
      return sleep.isZero() || route.match() == null
          ? List.of()
          : List.of(new Sleeping(sleep, gateway.blocking()));
    };
  }

  /** Sleeps on the blocking executor, then answers. */
  public static final class Sleeping implements Policy {
    private final Duration sleep;
    private final BlockingExecutor blocking;

    public Sleeping(Duration sleep, BlockingExecutor blocking) {
      this.sleep = sleep;
      this.blocking = blocking;
    }

    @Override
    public Stage stage() {
      return Stage.AUTHN;
    }

    @Override
    public String name() {
      return "blocking-work";
    }

    @Override
    public void onRequest(Exchange exchange) {
      blocking.runOrRefuse(
          exchange,
          () -> {
            Thread.sleep(sleep.toMillis());
            return Thread.currentThread().getName();
          },
          (ex, workedOn, failure) -> {
            ex.responseHeaders().set("x-worked-on", String.valueOf(workedOn));
            ex.responseHeaders().set("x-continued-on", Thread.currentThread().getName());
            ex.answer(204);
          });
    }
  }
}
