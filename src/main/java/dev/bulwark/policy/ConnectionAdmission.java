package dev.bulwark.policy;

/**
 * Decides, when a connection opens and before any byte of it is read, whether its client may use it
 * at all (a banned client under {@code bans.action: drop} is closed there).
 */
public interface ConnectionAdmission {
  /** Returns whether a connection from this (untrusted) client address is kept open. */
  boolean admits(String clientAddress);
}
