package dev.bulwark.config;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A part of the configuration file that a feature outside this package owns: its keys, where they
 * are written, how they are read (every mistake reported with its path), and the checks that need
 * the whole file. {@link ConfigLoader} reads every section it is given through this, knowing none
 * of them by name; the policies declare theirs in the policy catalog.
 *
 * @param <C> the immutable value the section reads into
 */
public interface ConfigSection<C> {

  /** Where a section's keys are written. */
  enum Place {
    /**
     * In each route, and in {@code defaults} for every route; a route's own setting is read over
     * the inherited one.
     */
    ROUTE,
    /** In each route only. */
    ROUTE_ONLY,
    /** At the top level of the file, once for the whole gateway. */
    TOP
  }

  /** Returns where the section's keys are written. */
  Place place();

  /** Returns the keys the section reads at its place, such as {@code rate-limit}. */
  List<String> keys();

  /** Returns the type of the value read, by which routes and the gateway look it up. */
  Class<C> type();

  /** Returns the value when the file says nothing (and what {@code defaults} starts from). */
  C absent();

  /**
   * Reads the section's keys from {@code holder} (a route, {@code defaults}, or the top level of
   * the file) over the inherited value, reporting every mistake at its path; returns a usable
   * stand-in after reporting, so that reading goes on.
   */
  C read(ConfigNode holder, C inherited, ReadContext context);

  /**
   * Checks what needs every route at once, after they are all read: {@code top} is the file's top
   * level as written, {@code nodes} the routes as written, and {@code clean} says which routes had
   * no error of their own (their stand-in values would mislead a check).
   */
  default void checkRoutes(
      ConfigNode top, List<RouteConfig> routes, List<ConfigNode> nodes, List<Boolean> clean) {}

  /**
   * Checks what needs the whole configuration as read (the store, {@code identity.tokens}, every
   * route), reporting each mistake at its path under {@code top}, the file's top level as written.
   */
  default void checkConfig(ConfigNode top, BulwarkConfig config) {}

  /**
   * Warns about weak-but-legal settings across routes (the hardening lint), once the file is known
   * to be valid.
   */
  default void lint(List<RouteConfig> routes, Problems problems) {}

  /**
   * Returns what the value guards a route with, in words ("requires authentication"), or null when
   * it guards nothing; a public route that covers a guarded one is linted.
   */
  default @Nullable String guard(C value) {
    return null;
  }
}
