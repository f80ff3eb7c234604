package dev.bulwark.policy;

import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.ConfigSection;
import dev.bulwark.config.IdentitySection;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.policy.authn.AuthnFactory;
import dev.bulwark.policy.authn.SignatureSection;
import dev.bulwark.policy.authz.AuthzFactory;
import dev.bulwark.policy.bans.BansFactory;
import dev.bulwark.policy.clientcert.ClientCertFactory;
import dev.bulwark.policy.contract.ContractFactory;
import dev.bulwark.policy.cors.CorsFactory;
import dev.bulwark.policy.errors.ErrorsFactory;
import dev.bulwark.policy.headers.HeadersFactory;
import dev.bulwark.policy.idempotency.IdempotencyFactory;
import dev.bulwark.policy.ipfilter.IpFilterFactory;
import dev.bulwark.policy.ratelimit.RateLimitFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Every feature of the gateway, each listed once: the order is the order in which the file's
 * sections are read (so errors come in this order) and features are listed in summaries; a route's
 * policies run in stage order whatever the order here. Adding a feature is its own package and one
 * line below.
 */
public final class PolicyCatalog {
  private static final PolicyCatalog STANDARD =
      of(
          List.of(
              new HeadersFactory(),
              new ErrorsFactory(),
              new BansFactory(),
              new IpFilterFactory(),
              new RateLimitFactory(),
              new CorsFactory(),
              new ClientCertFactory(),
              new AuthnFactory(),
              new SignatureSection(),
              new AuthzFactory(),
              new ContractFactory(),
              new IdempotencyFactory()));

  private final List<PolicyFactory<?>> factories;

  private PolicyCatalog(List<? extends PolicyFactory<?>> factories) {
    this.factories = List.copyOf(factories);
  }

  /** Returns a catalog of the given features, in order. */
  public static PolicyCatalog of(List<? extends PolicyFactory<?>> factories) {
    return new PolicyCatalog(factories);
  }

  /** Returns the catalog of every feature Bulwark has. */
  public static PolicyCatalog standard() {
    return STANDARD;
  }

  /** Returns the features in order. */
  public List<PolicyFactory<?>> factories() {
    return factories;
  }

  /** Returns the features' configuration sections, in order (what {@link ConfigLoader} reads). */
  public List<ConfigSection<?>> sections() {
    List<ConfigSection<?>> all = new ArrayList<>(factories);
    all.add(IdentitySection.INSTANCE); // the identity services' settings, no policy of their own
    return List.copyOf(all);
  }

  /** Returns a loader that reads the features' sections, resolving secrets with {@code secrets}. */
  public ConfigLoader loader(SecretResolver secrets) {
    return new ConfigLoader(secrets, sections());
  }
}
