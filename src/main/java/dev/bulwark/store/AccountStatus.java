package dev.bulwark.store;

/** Whether an account may log in: {@code ACTIVE}, or {@code DISABLED} by an administrator. */
public enum AccountStatus {
  ACTIVE,
  DISABLED
}
