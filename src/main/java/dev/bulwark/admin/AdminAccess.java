package dev.bulwark.admin;

/** Who may call an admin route when the listener has a credential. */
public enum AdminAccess {
  /**
   * Anyone who reaches the listener: health and readiness (probes of orchestrators carry no
   * credential) and the public keys of the identity assertions (fetched by upstreams).
   */
  OPEN,
  /** Only a caller presenting the admin token (when one is configured). */
  OPERATOR
}
