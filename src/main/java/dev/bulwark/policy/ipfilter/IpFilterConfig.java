package dev.bulwark.policy.ipfilter;

import dev.bulwark.config.ConfigNode;
import dev.bulwark.exchange.CidrSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which client addresses may use a route: a deny list (always refused) and an allow list (when not
 * empty, only these), as IPv4/IPv6 addresses or CIDRs; IPv4-mapped IPv6 is the same address as its
 * IPv4 form. A route's {@code ip-filter} replaces the one in {@code defaults}.
 */
public record IpFilterConfig(List<String> allow, List<String> deny)
    implements dev.bulwark.config.ClientAddressKeyed {
  /** No filtering. */
  public static final IpFilterConfig NONE = new IpFilterConfig(List.of(), List.of());

  public IpFilterConfig {
    allow = List.copyOf(allow);
    deny = List.copyOf(deny);
  }

  /** Returns whether the filter lets everyone through. */
  public boolean isEmpty() {
    return allow.isEmpty() && deny.isEmpty();
  }

  /** An allow or deny list is by client address. */
  @Override
  public boolean keyedByClientAddress() {
    return !isEmpty();
  }

  @Override
  public String keyedFeature() {
    return "ip-filter";
  }

  /**
   * Reads {@code ip-filter: { allow: [...], deny: [...] }} (or {@code off}) over the inherited one.
   */
  public static IpFilterConfig read(ConfigNode n, IpFilterConfig inherited) {
    if (!n.present()) {
      return inherited;
    }
    if (n.isOff()) {
      if (!inherited.isEmpty()) {
        n.warning("off: this route drops the ip-filter that defaults set for every route");
      }
      return NONE;
    }
    if (!n.expectMapping(Set.of("allow", "deny"))) {
      return inherited;
    }
    return new IpFilterConfig(cidrs(n.get("allow")), cidrs(n.get("deny")));
  }

  private static List<String> cidrs(ConfigNode list) {
    List<String> out = new ArrayList<>();
    List<ConfigNode> elements = list.elements();
    List<String> raw = new ArrayList<>();
    for (ConfigNode e : elements) {
      String r = e.rawText();
      raw.add(r == null ? "" : r);
    }
    int[] overlap = CidrSet.firstOverlap(raw);
    if (overlap != null) {
      elements
          .get(overlap[1])
          .invalid(
              "not overlapping "
                  + raw.get(overlap[0])
                  + " (entry "
                  + overlap[0]
                  + " of the same list): overlapping entries hide a mistake");
    }
    for (ConfigNode e : elements) {
      String s = e.requiredString("an address or CIDR such as 10.0.0.0/8");
      if (s == null) {
        continue;
      }
      if (!CidrSet.isValid(s)) {
        e.invalid("an address or CIDR such as 10.0.0.0/8 or 2001:db8::/32, without host bits set");
      } else {
        out.add(s);
      }
    }
    return out;
  }
}
