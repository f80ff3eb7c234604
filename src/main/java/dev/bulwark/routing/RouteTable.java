package dev.bulwark.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The routes of one configuration, ordered most specific first (host, then path), matched on the
 * normalised path. A request can never reach a broader route by missing a narrower one on a
 * technicality: a path whose letter case alone decides the route, {@code ;parameters} in a segment,
 * and (unless a route allows it) a method outside a route's list are refused instead of falling
 * through.
 *
 * @param <R> the compiled route type
 */
public final class RouteTable<R> {

  /** What a route does with requests that differ from it only in spelling or method. */
  public record Rules(boolean caseSensitive, boolean pathParameters, boolean methodsFallThrough) {
    /** Strict: exact case, no {@code ;parameters}, other methods answered 405. */
    public static final Rules STRICT = new Rules(true, false, false);
  }

  /** One entry: what it matches and the route it leads to. */
  public record Entry<R>(
      HostMatcher host, RoutePattern path, Set<String> methods, Rules rules, R route) {
    /** An entry with the strict rules. */
    public Entry(HostMatcher host, RoutePattern path, Set<String> methods, R route) {
      this(host, path, methods, Rules.STRICT, route);
    }

    boolean allows(String method) {
      return methods.isEmpty() || methods.contains(method);
    }

    /** Returns what the entry matches, in words: {@code host *, path /api/**, methods GET}. */
    public String describe() {
      return "host "
          + host
          + ", path "
          + path
          + (methods.isEmpty() ? "" : ", methods " + String.join(",", methods));
    }

    private String @Nullable [] match(String path, boolean mayDifferInCase) {
      String[] params = this.path.match(path);
      if (params == null && mayDifferInCase) {
        params = this.path.matchIgnoringCase(path);
      }
      return params;
    }
  }

  /** Why a request that some route would take is refused before it reaches any. */
  public enum Refusal {
    /** The path's letter case alone picks between two routes. */
    CASE,
    /** A segment carries {@code ;parameters} and the route does not accept them. */
    PATH_PARAMETERS,
    /** Removing {@code ;parameters} leaves an empty segment. */
    EMPTY_SEGMENT
  }

  /**
   * The outcome of a lookup: a route with its template values, or none (404), or a bad method (405,
   * {@code allowed} not empty), or a refusal (400).
   */
  public record Match<R>(
      @Nullable R route,
      String[] params,
      @Nullable Entry<R> entry,
      Set<String> allowed,
      @Nullable Refusal refusal) {
    static <R> Match<R> refused(Refusal why) {
      return new Match<>(null, NO_PARAMS, null, Set.of(), why);
    }
  }

  private static final String[] NO_PARAMS = new String[0];

  private final List<Entry<R>> entries;
  private final boolean upperCaseLiterals;

  /** Orders entries by specificity; equal matchers must have been refused by validation. */
  public RouteTable(List<Entry<R>> entries) {
    List<Entry<R>> sorted = new ArrayList<>(entries);
    sorted.sort(
        Comparator.<Entry<R>, HostMatcher>comparing(Entry::host, HostMatcher.SPECIFICITY)
            .thenComparing(Entry::path, RoutePattern.SPECIFICITY));
    this.entries = List.copyOf(sorted);
    boolean upper = false;
    for (Entry<R> e : sorted) {
      upper |= e.path().hasUpperCaseLiteral();
    }
    this.upperCaseLiterals = upper;
  }

  /** Returns the entries, most specific first. */
  public List<Entry<R>> entries() {
    return entries;
  }

  /**
   * Finds the route for a canonical host (lower case, no port, no trailing dot), a normalised path
   * (which may carry {@code ;parameters}) and a method.
   */
  public Match<R> match(String host, String path, String method) {
    String routed = path;
    boolean parameters = path.indexOf(';') >= 0;
    if (parameters) {
      routed = PathNormalizer.withoutParameters(path);
      if (routed == null) {
        return Match.refused(Refusal.EMPTY_SEGMENT);
      }
    }
    boolean mayDifferInCase = upperCaseLiterals || hasUpperCase(routed);
    Set<String> allowed = null;
    for (int i = 0; i < entries.size(); i++) {
      Entry<R> e = entries.get(i);
      if (!e.host().matches(host)) {
        continue;
      }
      String[] params = e.match(routed, mayDifferInCase);
      if (params == null) {
        continue;
      }
      if (mayDifferInCase && e.rules().caseSensitive() && e.path().match(routed) == null) {
        // Only a different spelling of the case reaches this route: whichever route the exact
        // spelling reaches next is broader, and a case-insensitive backend would serve this one.
        return Match.refused(Refusal.CASE);
      }
      if (parameters && !e.rules().pathParameters()) {
        return Match.refused(Refusal.PATH_PARAMETERS);
      }
      if (e.allows(method)) {
        return new Match<>(e.route(), params, e, Set.of(), null);
      }
      if (allowed == null) {
        allowed = new TreeSet<>();
      }
      allowed.addAll(e.methods());
      if (!e.rules().methodsFallThrough()) {
        return sameShapeFor(e, i, host, routed, method, allowed, mayDifferInCase);
      }
    }
    return new Match<>(null, NO_PARAMS, null, allowed == null ? Set.of() : allowed, null);
  }

  /**
   * A route whose method list does not fall through still shares its paths with routes of the same
   * host and shape (one for GET, another for POST): one of them may take the method; else 405.
   */
  private Match<R> sameShapeFor(
      Entry<R> first,
      int from,
      String host,
      String routed,
      String method,
      Set<String> allowed,
      boolean mayDifferInCase) {
    for (int j = from + 1; j < entries.size(); j++) {
      Entry<R> e = entries.get(j);
      if (!e.host().sameAs(first.host()) || !e.path().sameShape(first.path())) {
        continue;
      }
      String[] params = e.match(routed, mayDifferInCase);
      if (params == null || !e.host().matches(host)) {
        continue;
      }
      if (e.allows(method)) {
        return new Match<>(e.route(), params, e, Set.of(), null);
      }
      allowed.addAll(e.methods());
    }
    return new Match<>(null, NO_PARAMS, null, allowed, null);
  }

  private static boolean hasUpperCase(String path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        return true;
      }
    }
    return false;
  }
}
