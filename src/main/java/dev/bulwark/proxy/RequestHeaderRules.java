package dev.bulwark.proxy;

import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which of the client's end-to-end request headers one route's upstream never receives: the
 * well-known identity headers ({@link IdentityHeaders}) and those added by {@code
 * auth.strip-headers}, except the ones the route keeps; and header names with {@code _}, which PHP,
 * WSGI and Rack read as the same variable as the hyphenated name, unless the route forwards them
 * (even then a name whose hyphenated twin the gateway sets or strips is dropped).
 */
public final class RequestHeaderRules {
  private final Set<String> extraStrip;
  private final Set<String> keep;
  private final boolean forwardUnderscores;

  private RequestHeaderRules(Set<String> extraStrip, Set<String> keep, boolean forwardUnderscores) {
    this.extraStrip = extraStrip;
    this.keep = keep;
    this.forwardUnderscores = forwardUnderscores;
  }

  /**
   * Compiles the rules of one route: {@code extraStrip} from {@code auth.strip-headers}, {@code
   * keep} and {@code forwardUnderscores} from the route's upstream.
   */
  public static RequestHeaderRules compile(
      Collection<String> extraStrip, Collection<String> keep, boolean forwardUnderscores) {
    return new RequestHeaderRules(lower(extraStrip), lower(keep), forwardUnderscores);
  }

  private static Set<String> lower(Collection<String> names) {
    return names.stream()
        .map(n -> n.toLowerCase(Locale.ROOT))
        .collect(Collectors.toUnmodifiableSet());
  }

  /** Returns whether a client request header must not reach the upstream. */
  boolean drops(String name) {
    if (name.indexOf('_') >= 0) {
      if (!forwardUnderscores) {
        return true;
      }
      String twin = name.replace('_', '-');
      return HeaderHygiene.isHopByHop(twin)
          || HeaderHygiene.isGatewaySet(twin)
          || ClientAddressHeaders.contains(twin)
          || twin.regionMatches(true, 0, "x-bulwark-", 0, 10)
          || strips(twin);
    }
    return strips(name);
  }

  private boolean strips(String name) {
    boolean identity =
        IdentityHeaders.isWellKnown(name)
            || (!extraStrip.isEmpty() && extraStrip.contains(name.toLowerCase(Locale.ROOT)));
    return identity && (keep.isEmpty() || !keep.contains(name.toLowerCase(Locale.ROOT)));
  }
}
