package dev.bulwark.audit.alert;

/** How urgent an alert is; its wire name is the {@code severity} field of an alert. */
public enum Severity {
  /** Worth a look in the next review. */
  INFO("info"),
  /** Worth a look today. */
  WARNING("warning"),
  /** Worth waking someone: a likely compromise or privilege escalation. */
  CRITICAL("critical");

  private final String wireName;

  Severity(String wireName) {
    this.wireName = wireName;
  }

  /** Returns the name written in an alert. */
  public String wireName() {
    return wireName;
  }
}
