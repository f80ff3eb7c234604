package dev.bulwark.identity;

import static java.util.Objects.requireNonNull;

import dev.bulwark.exchange.AttributeKey;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A verified caller: the subject, the configured issuer that vouched for it, its roles, scopes and
 * organisation memberships, its other claims (for {@code claim:NAME=VALUE} rules), and when the
 * token expires (epoch seconds).
 */
public record Caller(
    String subject,
    String issuer,
    Set<String> roles,
    Set<String> scopes,
    Set<String> organisations,
    Map<String, List<String>> claims,
    long expiresAt) {

  /**
   * The caller an exchange was authenticated as, set by the authentication stage and read by
   * authorization, forward-auth and the identity headers sent upstream.
   */
  public static final AttributeKey<Caller> KEY = AttributeKey.of("caller");

  public Caller {
    requireNonNull(subject, "subject");
    requireNonNull(issuer, "issuer");
    roles = Set.copyOf(roles);
    scopes = Set.copyOf(scopes);
    organisations = Set.copyOf(organisations);
    claims = Map.copyOf(claims);
  }
}
