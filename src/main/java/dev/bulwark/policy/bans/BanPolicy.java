package dev.bulwark.policy.bans;

import dev.bulwark.config.Units;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.policy.ClientCheck;
import dev.bulwark.policy.ConnectionAdmission;
import dev.bulwark.policy.ExchangeObserver;
import dev.bulwark.policy.GatewayPolicy;
import dev.bulwark.policy.Refusal;
import dev.bulwark.policy.Stage;
import dev.bulwark.store.Ban;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Automatic bans at the edge of every exchange, routed or not: a banned client is refused before
 * any other work with 403 "client temporarily blocked" and {@code Retry-After} (the seconds left on
 * the ban), or under {@code action: drop} its connection is closed (at connection open, and at once
 * if it was open before the ban). 403 rather than 429: a ban refuses the client, not this request's
 * rate, and HTTP clients retry a 429 on their own. Every other exchange's status counts against the
 * rules that watch it.
 */
final class BanPolicy implements GatewayPolicy, ClientCheck, ExchangeObserver, ConnectionAdmission {
  /** The name under which ban refusals are logged and counted. */
  static final String NAME = "ban";

  private static final Denial BANNED =
      Denial.of(403, "client temporarily blocked", "client banned");

  private final BansConfig config;
  private final BanRules rules;

  BanPolicy(BansConfig config, BanRules rules) {
    this.config = config;
    this.rules = rules;
  }

  @Override
  public Stage stage() {
    return Stage.BANS;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public @Nullable Refusal check(String clientAddress) {
    Ban ban = rules.banned(clientAddress);
    if (ban == null) {
      return null;
    }
    return new Refusal(NAME, BANNED, ban.secondsLeft(System.currentTimeMillis()), rules.drop());
  }

  /** Counts the answer against the rules, unless it was this policy's own refusal. */
  @Override
  public void ended(Exchange exchange) {
    if (!NAME.equals(exchange.decidedBy())) {
      rules.observe(exchange.clientAddress(), exchange.status(), exchange.requestId());
    }
  }

  @Override
  public boolean admits(String clientAddress) {
    return !rules.drop() || rules.banned(clientAddress) == null;
  }

  /** Returns the action and each rule: {@code deny auth-failures([401, 403] x20/5m -> 15m..1d)}. */
  @Override
  public String describe() {
    StringBuilder sb = new StringBuilder(config.drop() ? "drop" : "deny");
    if (config.rules().isEmpty()) {
      sb.append(", no automatic rules");
    }
    for (BansConfig.Rule rule : config.rules()) {
      sb.append(' ')
          .append(rule.name())
          .append('(')
          .append(new TreeSet<>(rule.statuses()))
          .append(" x")
          .append(rule.count())
          .append('/')
          .append(Units.formatDuration(rule.window()))
          .append(" -> ")
          .append(Units.formatDuration(rule.ban()))
          .append("..")
          .append(Units.formatDuration(rule.maxBan()))
          .append(')');
    }
    return sb.toString();
  }
}
