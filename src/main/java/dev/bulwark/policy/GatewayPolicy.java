package dev.bulwark.policy;

/**
 * A policy over the whole gateway rather than one route (automatic bans), compiled from a top-level
 * section; what it does is said by the small interfaces it also implements: {@link ClientCheck},
 * {@link ExchangeObserver}, {@link ConnectionAdmission}.
 */
public interface GatewayPolicy {
  /** Returns the stage it acts at. */
  Stage stage();

  /** Returns the short name used in logs and metrics. */
  String name();

  /** Returns what it enforces, in one short stable line (for summaries and golden files). */
  String describe();
}
