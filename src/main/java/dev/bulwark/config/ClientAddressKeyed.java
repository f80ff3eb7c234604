package dev.bulwark.config;

/**
 * A setting that decides by the client address, so that behind an unlisted proxy every client would
 * look the same to it; lets the linter ask without naming the policy.
 */
public interface ClientAddressKeyed {
  /** Returns whether this setting, as configured, keys anything by the client address. */
  boolean keyedByClientAddress();

  /** Returns what is keyed, in the linter's words, such as "rate limits". */
  String keyedFeature();
}
