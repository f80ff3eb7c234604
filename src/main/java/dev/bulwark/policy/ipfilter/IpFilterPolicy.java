package dev.bulwark.policy.ipfilter;

import dev.bulwark.exchange.CidrSet;
import dev.bulwark.exchange.DecisionTrace;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.IpAddresses;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;

/**
 * Refuses clients on the deny list, and clients off the allow list when there is one (403), before
 * any other work; the deny list wins. The address is the one resolved through trusted proxies.
 */
public final class IpFilterPolicy implements Policy {
  private static final Denial DENIED =
      Denial.of(403, "forbidden", "client address on the ip-filter deny list");
  private static final Denial NOT_ALLOWED =
      Denial.of(403, "forbidden", "client address not on the ip-filter allow list");

  private final CidrSet allow;
  private final CidrSet deny;
  private final String description;

  private IpFilterPolicy(CidrSet allow, CidrSet deny, String description) {
    this.allow = allow;
    this.deny = deny;
    this.description = description;
  }

  /** Compiles the lists into sorted range tables. */
  public static IpFilterPolicy compile(IpFilterConfig config) {
    String description =
        (config.allow().isEmpty() ? "allow any" : "allow " + String.join(", ", config.allow()))
            + (config.deny().isEmpty() ? "" : "; deny " + String.join(", ", config.deny()));
    return new IpFilterPolicy(CidrSet.of(config.allow()), CidrSet.of(config.deny()), description);
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public Stage stage() {
    return Stage.IP_FILTER;
  }

  @Override
  public String name() {
    return "ip-filter";
  }

  @Override
  public void onRequest(Exchange exchange) {
    byte[] client = IpAddresses.parse(exchange.clientAddress());
    if (client == null) {
      // Not an IP address (a Unix socket peer, say): only an open filter lets it through.
      if (!allow.isEmpty()) {
        exchange.deny(NOT_ALLOWED);
        return;
      }
      exchange.proceed();
      return;
    }
    boolean denied = deny.contains(client);
    boolean allowed = !denied && (allow.isEmpty() || allow.contains(client));
    DecisionTrace trace = exchange.trace();
    if (trace != null) {
      String c = exchange.clientAddress();
      trace.note(
          name(),
          denied
              ? c + " is in deny " + deny.matching(client)
              : allow.isEmpty()
                  ? c + " is on no deny range and no allow list is set"
                  : allowed
                      ? c + " is in allow " + allow.matching(client)
                      : c + " is in no allow range");
    }
    if (denied) {
      exchange.deny(DENIED);
    } else if (!allowed) {
      exchange.deny(NOT_ALLOWED);
    } else {
      exchange.proceed();
    }
  }
}
