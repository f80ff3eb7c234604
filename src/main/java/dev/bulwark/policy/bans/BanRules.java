package dev.bulwark.policy.bans;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.exchange.CidrSet;
import dev.bulwark.exchange.IpAddresses;
import dev.bulwark.store.Ban;
import dev.bulwark.store.BanStore;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The ban rules of one configuration over the gateway's ban store: answers whether a client is
 * banned (a local lookup, before any other work) and counts each answer's status against the rules
 * that watch it, banning a client that reaches a rule's count. Every ban is a security event.
 */
public final class BanRules {
  private static final Logger LOG = Logger.getLogger(BanRules.class.getName());

  private final BanStore store;
  private final SecurityEvents security;
  private final BansConfig config;
  private final CidrSet exempt;
  private final CidrSet trusted;
  private final BansConfig.Rule[][] rulesByStatus = new BansConfig.Rule[600][];

  public BanRules(
      BansConfig config, CidrSet trustedProxies, BanStore store, SecurityEvents security) {
    this.store = store;
    this.security = security;
    this.config = config;
    this.exempt = CidrSet.of(config.exempt());
    this.trusted = trustedProxies;
    for (int status = 0; status < 600; status++) {
      List<BansConfig.Rule> watching = new ArrayList<>();
      for (BansConfig.Rule r : config.rules()) {
        if (r.statuses().contains(status)) {
          watching.add(r);
        }
      }
      rulesByStatus[status] = watching.toArray(new BansConfig.Rule[0]);
    }
  }

  /** Returns whether banned clients get their connection closed rather than a 403. */
  public boolean drop() {
    return config.drop();
  }

  /** Returns the active ban of a client address, or null. */
  public @Nullable Ban banned(String client) {
    return store.active(client);
  }

  /** Counts an answer against the rules watching its status; may ban the client. */
  public void observe(String client, int status, String requestId) {
    if (status < 0 || status >= 600) {
      return;
    }
    BansConfig.Rule[] rules = rulesByStatus[status];
    if (rules.length == 0 || !bannable(client)) {
      return;
    }
    for (BansConfig.Rule rule : rules) {
      store
          .strike(rule.name(), client, rule.window())
          .thenAccept(
              count -> {
                // Exactly at the count: strikes are atomic, so one answer bans, and the counter
                // starts again from zero (a lifted or expired ban does not come back at the next
                // failure).
                if (count == rule.count() && store.active(client) == null) {
                  store.forgetStrikes(rule.name(), client);
                  ban(rule, client, requestId);
                }
              });
    }
  }

  private void ban(BansConfig.Rule rule, String client, String requestId) {
    String reason = rule.trigger();
    store
        .ban(client, rule.ban(), rule.maxBan(), rule.repeatMemory(), reason, rule.name())
        .whenComplete(
            (ban, failure) -> {
              if (failure != null) {
                LOG.warning("could not ban " + client + ": " + failure.getMessage());
                return;
              }
              security.publish(
                  SecurityEvent.ban(
                      requestId,
                      client,
                      rule.name(),
                      java.time.Instant.ofEpochMilli(ban.untilMillis()),
                      ban.repeat(),
                      reason));
            });
  }

  /** Returns whether an address may be banned: an IP, not exempt, not a trusted proxy. */
  boolean bannable(String client) {
    byte[] a = IpAddresses.parse(client);
    return a != null && !exempt.contains(a) && !trusted.contains(a);
  }
}
