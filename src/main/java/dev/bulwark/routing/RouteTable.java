package dev.bulwark.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The routes of one configuration, ordered most specific first (host, then path), matched on the
 * normalised path; a path that some route matches but no route allows the method of answers 405.
 *
 * @param <R> the compiled route type
 */
public final class RouteTable<R> {

  /** One entry: what it matches and the route it leads to. */
  public record Entry<R>(HostMatcher host, RoutePattern path, Set<String> methods, R route) {
    boolean allows(String method) {
      return methods.isEmpty() || methods.contains(method);
    }
  }

  /**
   * The outcome of a lookup: a route with its template values, or none (404), or a bad method
   * (405).
   */
  public record Match<R>(
      @Nullable R route, String[] params, @Nullable Entry<R> entry, Set<String> allowed) {}

  private final List<Entry<R>> entries;

  /** Orders entries by specificity; equal matchers must have been refused by validation. */
  public RouteTable(List<Entry<R>> entries) {
    List<Entry<R>> sorted = new ArrayList<>(entries);
    sorted.sort(
        Comparator.<Entry<R>, HostMatcher>comparing(Entry::host, HostMatcher.SPECIFICITY)
            .thenComparing(Entry::path, RoutePattern.SPECIFICITY));
    this.entries = List.copyOf(sorted);
  }

  /** Returns the entries, most specific first. */
  public List<Entry<R>> entries() {
    return entries;
  }

  /** Finds the route for a lower-case host (no port), a normalised path and a method. */
  public Match<R> match(String host, String path, String method) {
    Set<String> allowed = null;
    for (Entry<R> e : entries) {
      if (!e.host().matches(host)) {
        continue;
      }
      String[] params = e.path().match(path);
      if (params == null) {
        continue;
      }
      if (e.allows(method)) {
        return new Match<>(e.route(), params, e, Set.of());
      }
      if (allowed == null) {
        allowed = new java.util.TreeSet<>();
      }
      allowed.addAll(e.methods());
    }
    return new Match<>(null, new String[0], null, allowed == null ? Set.of() : allowed);
  }
}
