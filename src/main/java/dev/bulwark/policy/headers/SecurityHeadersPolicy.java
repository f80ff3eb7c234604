package dev.bulwark.policy.headers;

import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.HeaderMap;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Sets the route's security headers on every response (gateway-made or upstream), replacing what
 * the upstream sent, removes server banners, and forbids caching of error responses. Header names
 * and values are compiled once per configuration.
 */
public final class SecurityHeadersPolicy implements Policy {
  private static final CharSequence CACHE_CONTROL = HeaderMap.constant("cache-control");
  private static final CharSequence NO_STORE = HeaderMap.constant("no-store");

  private final CharSequence[] names;
  private final CharSequence[] values;
  private final CharSequence[] removed;
  private final boolean noStoreOnErrors;
  private final String description;

  private SecurityHeadersPolicy(
      Map<String, String> set, Set<String> remove, boolean noStoreOnErrors, String description) {
    this.description = description;
    this.names = set.keySet().stream().map(HeaderMap::constant).toArray(CharSequence[]::new);
    this.values = set.values().stream().map(HeaderMap::constant).toArray(CharSequence[]::new);
    this.removed = remove.stream().map(HeaderMap::constant).toArray(CharSequence[]::new);
    this.noStoreOnErrors = noStoreOnErrors;
  }

  /** Compiles a route's header settings. */
  public static SecurityHeadersPolicy compile(HeadersConfig config) {
    Map<String, String> set = new LinkedHashMap<>(HeaderPresets.headers(config.preset()));
    for (Map.Entry<String, String> e : config.set().entrySet()) {
      set.keySet().removeIf(k -> k.equalsIgnoreCase(e.getKey()));
      set.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
    }
    Set<String> remove = new LinkedHashSet<>(HeaderPresets.banners(config.preset()));
    remove.addAll(config.remove());
    remove.removeAll(set.keySet());
    return new SecurityHeadersPolicy(
        set, remove, config.preset() != HeadersConfig.Preset.OFF, describe(config));
  }

  private static String describe(HeadersConfig config) {
    StringBuilder sb = new StringBuilder(config.preset().name().toLowerCase(Locale.ROOT));
    if (!config.set().isEmpty()) {
      sb.append("; set ").append(String.join(", ", new java.util.TreeSet<>(config.set().keySet())));
    }
    if (!config.remove().isEmpty()) {
      sb.append("; remove ").append(String.join(", ", config.remove()));
    }
    return sb.toString();
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public Stage stage() {
    return Stage.HEADERS;
  }

  @Override
  public String name() {
    return "headers";
  }

  @Override
  public void onResponse(Exchange exchange, ResponseHead head) {
    HeaderMap h = head.headers();
    for (CharSequence name : removed) {
      h.remove(name);
    }
    for (int i = 0; i < names.length; i++) {
      h.set(names[i], values[i]);
    }
    if (noStoreOnErrors && head.status() >= 400) {
      h.set(CACHE_CONTROL, NO_STORE);
    }
  }
}
