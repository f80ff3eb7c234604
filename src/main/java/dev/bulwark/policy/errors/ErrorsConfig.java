package dev.bulwark.policy.errors;

import dev.bulwark.config.ConfigNode;
import java.util.Set;

/**
 * How upstream errors reach clients: whether 5xx bodies are replaced by the generic JSON body
 * (default yes), and how much of a masked body is kept in the log.
 */
public record ErrorsConfig(boolean maskUpstream5xx, int logBodyBytes) {
  /** The strict default: mask, keep 512 bytes for the log. */
  public static final ErrorsConfig DEFAULTS = new ErrorsConfig(true, 512);

  /** Reads the mapping over the inherited setting. */
  public static ErrorsConfig read(ConfigNode n, ErrorsConfig inherited) {
    if (!n.expectMapping(Set.of("mask-upstream-5xx", "log-body-bytes"))) {
      return inherited;
    }
    boolean mask = n.get("mask-upstream-5xx").bool(inherited.maskUpstream5xx());
    if (!mask) {
      n.get("mask-upstream-5xx")
          .warning("false: upstream error bodies (stack traces, paths, versions) reach clients");
    }
    int bytes = n.get("log-body-bytes").integer(inherited.logBodyBytes(), 0, 64 * 1024);
    return new ErrorsConfig(mask, bytes);
  }
}
