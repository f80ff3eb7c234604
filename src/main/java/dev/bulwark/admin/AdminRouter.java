package dev.bulwark.admin;

import static java.util.Objects.requireNonNull;

import dev.bulwark.exchange.RequestIds;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The admin listener's request handler: finds the route of a request by path and method ({@code
 * HEAD} is served by a {@code GET} route), asks the {@link AdminAuthentication} unless the route is
 * {@link AdminAccess#OPEN open}, reads the body within the route's limit, then calls the route's
 * handler. An unknown path is {@code 404}, a known path with another method {@code 405} with {@code
 * Allow}; for a caller without the credential both are {@code 401}, so that probing reveals no
 * route. Every answer is JSON with a request id.
 */
public final class AdminRouter implements Handler<HttpServerRequest> {
  private static final Logger LOG = Logger.getLogger(AdminRouter.class.getName());

  /** One route: a method and a path template whose {@code {name}} segments match one segment. */
  private record Route(
      String method, List<String> segments, AdminAccess access, int maxBody, AdminHandler handler) {
    Route {
      segments = List.copyOf(segments);
    }
  }

  /** A route and the values its template matched. */
  private record Found(Route route, Map<String, String> params) {}

  private final List<Route> routes;
  private final AdminAuthentication authentication;

  private AdminRouter(List<Route> routes, AdminAuthentication authentication) {
    this.routes = List.copyOf(routes);
    this.authentication = authentication;
  }

  /** Starts a router whose non-open routes are guarded by {@code authentication}. */
  public static Builder builder(AdminAuthentication authentication) {
    return new Builder(requireNonNull(authentication, "authentication"));
  }

  @Override
  public void handle(HttpServerRequest req) {
    String id = RequestIds.next();
    String path = req.path();
    if (path == null || !path.startsWith("/")) {
      AdminCall.writeError(req, id, 400, "bad request", !req.isEnded());
      return;
    }
    String method = req.method().name();
    String asked = method.equals("HEAD") ? "GET" : method;
    List<Found> forPath = match(path);
    Found found = null;
    boolean allOpen = !forPath.isEmpty();
    for (Found f : forPath) {
      if (f.route().method().equals(asked)) {
        found = f;
      }
      allOpen &= f.route().access() == AdminAccess.OPEN;
    }
    Found chosen = found;
    if (chosen != null && chosen.route().access() == AdminAccess.OPEN) {
      readThenCall(req, id, chosen);
      return;
    }
    if (chosen == null && allOpen) {
      methodNotAllowed(req, id, forPath);
      return;
    }
    // The body stays unread while the credential is judged (a refusal may be delayed).
    req.pause();
    authentication.authenticate(
        req,
        id,
        () -> {
          if (chosen != null) {
            readThenCall(req, id, chosen);
          } else if (forPath.isEmpty()) {
            AdminCall.writeError(req, id, 404, "not found", !req.isEnded());
          } else {
            methodNotAllowed(req, id, forPath);
          }
        });
  }

  private static void methodNotAllowed(HttpServerRequest req, String id, List<Found> forPath) {
    Set<String> allowed = new LinkedHashSet<>();
    for (Found f : forPath) {
      allowed.add(f.route().method());
      if (f.route().method().equals("GET")) {
        allowed.add("HEAD");
      }
    }
    req.response().putHeader("allow", String.join(", ", allowed));
    AdminCall.writeError(req, id, 405, "method not allowed", !req.isEnded());
  }

  /** Reads the body within the route's limit (413 and close beyond it), then calls the handler. */
  private static void readThenCall(HttpServerRequest req, String id, Found found) {
    Context context = requireNonNull(Vertx.currentContext(), "an admin request runs on a context");
    Route route = found.route();
    BoundedBody.read(
        req,
        route.maxBody(),
        body -> {
          AdminCall call = new AdminCall(req, context, id, found.params(), body);
          try {
            route.handler().handle(call);
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "admin " + route.method() + " " + req.path() + " failed", e);
            if (!call.answered()) {
              call.error(500, "internal error");
            }
          }
        },
        (status, message) -> AdminCall.writeError(req, id, status, message, true));
  }

  private List<Found> match(String path) {
    String[] segments = segments(path);
    List<Found> out = new ArrayList<>(2);
    for (Route r : routes) {
      Map<String, String> params = matches(r.segments(), segments);
      if (params != null) {
        out.add(new Found(r, params));
      }
    }
    return out;
  }

  private static @Nullable Map<String, String> matches(List<String> template, String[] path) {
    if (template.size() != path.length) {
      return null;
    }
    Map<String, String> params = null;
    for (int i = 0; i < path.length; i++) {
      String t = template.get(i);
      if (t.startsWith("{") && t.endsWith("}")) {
        if (path[i].isEmpty()) {
          return null;
        }
        if (params == null) {
          params = new HashMap<>(2);
        }
        params.put(t.substring(1, t.length() - 1), path[i]);
      } else if (!t.equals(path[i])) {
        return null;
      }
    }
    return params == null ? Map.of() : params;
  }

  /**
   * Splits {@code /a/b} into {@code [a, b]}, keeping empty segments ({@code /a/} is {@code [a, ]}).
   */
  private static String[] segments(String path) {
    return path.substring(1).split("/", -1);
  }

  /** Collects routes; a path and method may be registered once. */
  public static final class Builder {
    private final AdminAuthentication authentication;
    private final List<Route> routes = new ArrayList<>();

    private Builder(AdminAuthentication authentication) {
      this.authentication = authentication;
    }

    /** Adds a {@code GET} route (which also answers {@code HEAD}); its requests carry no body. */
    public Builder get(String path, AdminAccess access, AdminHandler handler) {
      return route("GET", path, access, 0, handler);
    }

    /**
     * Adds a route for a method; a body larger than {@code maxBody} bytes is refused with {@code
     * 413}.
     *
     * @throws IllegalArgumentException when the path is not a template such as {@code /bans/{a}},
     *     or the method and path are taken
     */
    public Builder route(
        String method, String path, AdminAccess access, int maxBody, AdminHandler handler) {
      requireNonNull(method, "method");
      requireNonNull(access, "access");
      requireNonNull(handler, "handler");
      if (!path.startsWith("/") || path.contains("*") || path.contains("?")) {
        throw new IllegalArgumentException("path: " + path + " (expected: /a/b or /a/{name})");
      }
      if (method.equals("HEAD")) {
        throw new IllegalArgumentException("method: HEAD (expected: a GET route, which serves it)");
      }
      if (maxBody < 0) {
        throw new IllegalArgumentException("maxBody: " + maxBody + " (expected: >= 0)");
      }
      List<String> segments = List.of(segments(path));
      for (Route r : routes) {
        if (r.method().equals(method) && shape(r.segments()).equals(shape(segments))) {
          throw new IllegalArgumentException(method + " " + path + ": registered twice");
        }
      }
      routes.add(new Route(method, segments, access, maxBody, handler));
      return this;
    }

    /** Returns a template with every {@code {name}} as {@code {}}: two that match alike. */
    private static String shape(List<String> segments) {
      StringBuilder sb = new StringBuilder();
      for (String s : segments) {
        sb.append('/').append(s.startsWith("{") && s.endsWith("}") ? "{}" : s);
      }
      return sb.toString();
    }

    public AdminRouter build() {
      return new AdminRouter(routes, authentication);
    }
  }
}
