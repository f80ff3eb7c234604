package dev.bulwark.endpoint;

import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.ConfigSection;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.endpoint.login.LoginEndpoint;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.policy.RouteContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every kind of endpoint the gateway serves itself, each listed once; adding one is its factory and
 * one line here.
 */
public final class EndpointCatalog {
  private static final EndpointCatalog STANDARD =
      of(
          List.of(
              new ForwardAuthEndpoint.Factory(),
              new LoginEndpoint.Factory(),
              new dev.bulwark.endpoint.reset.PasswordResetEndpoint.Factory()));

  private final Map<String, EndpointFactory> factories = new LinkedHashMap<>();

  private EndpointCatalog(List<? extends EndpointFactory> factories) {
    for (EndpointFactory f : factories) {
      if (this.factories.putIfAbsent(f.kind(), f) != null) {
        throw new IllegalArgumentException("endpoint kind " + f.kind() + ": listed twice");
      }
    }
  }

  /** Returns a catalog of the given kinds. */
  public static EndpointCatalog of(List<? extends EndpointFactory> factories) {
    return new EndpointCatalog(factories);
  }

  /** Returns the catalog of every endpoint kind Bulwark has. */
  public static EndpointCatalog standard() {
    return STANDARD;
  }

  /** Returns the kinds' factories, in the order listed. */
  public List<EndpointFactory> factories() {
    return List.copyOf(factories.values());
  }

  /** Returns the names of the kinds, as a route's {@code serve} may name them. */
  public Set<String> kinds() {
    return Set.copyOf(factories.keySet());
  }

  /**
   * Returns a loader that reads the features' sections and accepts {@code serve} with one of these
   * kinds, resolving secrets with {@code secrets}.
   */
  public ConfigLoader loader(PolicyCatalog policies, SecretResolver secrets) {
    List<ConfigSection<?>> sections = new ArrayList<>(policies.sections());
    for (EndpointFactory f : factories.values()) {
      sections.addAll(f.sections());
    }
    return new ConfigLoader(secrets, sections, kinds());
  }

  /**
   * Returns the policies that answer on a route serving {@code kind}.
   *
   * @throws IllegalArgumentException when the kind is not listed (the loader refuses such a file)
   */
  public List<Policy> serve(
      String kind, GatewayContext gateway, List<Compilation> features, RouteContext route) {
    EndpointFactory f = factories.get(kind);
    if (f == null) {
      throw new IllegalArgumentException("serve: " + kind + " (expected one of: " + kinds() + ")");
    }
    List<Policy> policies = f.serve(gateway, features, route);
    if (policies.isEmpty()) {
      throw new IllegalStateException("endpoint kind " + kind + ": no policy answers");
    }
    return List.copyOf(policies);
  }
}
