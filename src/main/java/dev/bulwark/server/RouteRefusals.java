package dev.bulwark.server;

import dev.bulwark.exchange.Denial;
import dev.bulwark.routing.RouteTable;
import org.jspecify.annotations.Nullable;

/**
 * The answer to a request that no route takes: 400 when the route table refuses its spelling
 * (letter case, {@code ;parameters}, an empty segment), 405 when routes hold its path for other
 * methods (the caller sends {@code Allow}), else 404. Shared by the live request gate and offline
 * runs, so that both refuse alike.
 */
final class RouteRefusals {
  private RouteRefusals() {}

  static final Denial METHOD_NOT_ALLOWED =
      Denial.of(405, "method not allowed", "method not allowed on route");

  private static final Denial CASE_REFUSED =
      Denial.of(400, "bad request", "path differs from a route only in letter case");

  private static final Denial PATH_PARAMETERS_REFUSED =
      Denial.of(400, "bad request", "path parameters (;) not accepted on this route");

  /**
   * Returns why a request took the route it took, for its decision trace: what the matched entry
   * matches, else why the request was refused before any route ({@code early}), else that none
   * matched.
   */
  static String why(RouteTable.@Nullable Match<?> match, @Nullable Denial early) {
    if (match != null) {
      RouteTable.Entry<?> entry = match.entry();
      if (entry != null && match.route() != null) {
        return entry.describe();
      }
    }
    return early != null ? early.reason() : "no route matched";
  }

  /** Returns the refusal of a match that found no route. */
  static Denial of(RouteTable.Match<?> match) {
    RouteTable.Refusal refusal = match.refusal();
    if (refusal != null) {
      return switch (refusal) {
        case CASE -> CASE_REFUSED;
        case PATH_PARAMETERS -> PATH_PARAMETERS_REFUSED;
        case EMPTY_SEGMENT -> Denial.BAD_PATH;
      };
    }
    return match.allowed().isEmpty() ? Denial.NOT_FOUND : METHOD_NOT_ALLOWED;
  }
}
