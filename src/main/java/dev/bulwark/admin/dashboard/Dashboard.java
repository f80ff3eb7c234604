package dev.bulwark.admin.dashboard;

import static java.util.Objects.requireNonNull;

import dev.bulwark.admin.AdminAccess;
import dev.bulwark.admin.AdminAuthentication;
import dev.bulwark.admin.AdminCall;
import dev.bulwark.admin.AdminRouter;
import dev.bulwark.admin.OperatorBans;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.config.Problem;
import dev.bulwark.config.Units;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The security dashboard's routes on the admin listener, under {@code /dashboard}. The router lets
 * them through unauthenticated ({@link AdminAccess#OPEN}): the dashboard guards them itself with a
 * sign-in (the admin token, judged with the listener's own throttle; or, with {@code
 * admin.dashboard}, an admin account's password and second factor through {@link OperatorSignIn})
 * and a server-side session in a cookie. Without {@code admin.token} the listener is on loopback
 * and anyone there may sign in, but only with {@code Host: localhost} or an address (a page
 * reaching the listener through DNS rebinding names its own host). Every change is a {@code POST}
 * that must carry the session's CSRF token and an {@code Origin} of the listener itself.
 */
public final class Dashboard {
  /** The policy every dashboard answer carries: nothing inline, nothing from elsewhere. */
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
          + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  /** The largest form the dashboard takes, in bytes. */
  static final int MAX_FORM = 4096;

  /** The cookie's name on a plain-HTTP listener. */
  static final String COOKIE = "bulwark-dashboard";

  /** The cookie's name over TLS: the browser then insists on Secure, Path=/ and no Domain. */
  static final String SECURE_COOKIE = "__Host-bulwark-dashboard";

  /** Ban durations the forms offer. */
  static final List<String> DURATIONS = List.of("15m", "1h", "24h", "7d", "30d");

  private static final String HTML = "text/html; charset=utf-8";

  private final Sources sources;
  private final DashboardSessions sessions;
  private final byte[] css;
  private final byte[] js;

  /**
   * What the dashboard reads and acts through.
   *
   * @param authentication the admin listener's credential check (its token and throttle)
   * @param operators the sign-in with accounts ({@link OperatorSignIn#TOKEN}: the admin token)
   * @param events the recent security events
   * @param alerts the recent alerts
   * @param bans the operator's ban path (the ban API's)
   * @param registry the gateway's meters (policy decisions per route)
   * @param configSummary the compiled configuration in force, one line per listener and route
   * @param lint the hardening-lint findings of the configuration in force
   */
  public record Sources(
      AdminAuthentication authentication,
      OperatorSignIn operators,
      RecentEvents events,
      RecentAlerts alerts,
      OperatorBans bans,
      MeterRegistry registry,
      Supplier<String> configSummary,
      Supplier<List<Problem>> lint) {
    public Sources {
      requireNonNull(authentication, "authentication");
      requireNonNull(operators, "operators");
      requireNonNull(events, "events");
      requireNonNull(alerts, "alerts");
      requireNonNull(bans, "bans");
      requireNonNull(registry, "registry");
      requireNonNull(configSummary, "configSummary");
      requireNonNull(lint, "lint");
    }
  }

  Dashboard(Sources sources, DashboardSessions sessions) {
    this.sources = requireNonNull(sources, "sources");
    this.sessions = requireNonNull(sessions, "sessions");
    this.css = resource("dashboard.css");
    this.js = resource("dashboard.js");
  }

  /** Adds the dashboard's routes to {@code router}. */
  public static AdminRouter.Builder register(AdminRouter.Builder router, Sources sources) {
    return new Dashboard(sources, DashboardSessions.standard()).routes(router);
  }

  AdminRouter.Builder routes(AdminRouter.Builder router) {
    return router
        .get("/dashboard", AdminAccess.OPEN, this::page)
        .get("/dashboard/sign-in", AdminAccess.OPEN, this::signInPage)
        .route("POST", "/dashboard/sign-in", AdminAccess.OPEN, MAX_FORM, this::signIn)
        .route("POST", "/dashboard/sign-out", AdminAccess.OPEN, MAX_FORM, this::signOut)
        .route("POST", "/dashboard/ban", AdminAccess.OPEN, MAX_FORM, this::ban)
        .route("POST", "/dashboard/unban", AdminAccess.OPEN, MAX_FORM, this::unban)
        .get("/dashboard/events.json", AdminAccess.OPEN, this::eventsJson)
        // A browser asks for this on its own; without it, every page view is a refused admin call.
        .get("/favicon.ico", AdminAccess.OPEN, c -> c.send(204, "image/x-icon", ""))
        .get("/dashboard/static/dashboard.css", AdminAccess.OPEN, c -> asset(c, "text/css", css))
        .get(
            "/dashboard/static/dashboard.js",
            AdminAccess.OPEN,
            c -> asset(c, "text/javascript", js));
  }

  private void page(AdminCall call) {
    if (!guarded(call)) {
      return;
    }
    DashboardSessions.Session s = session(call);
    if (s == null) {
      redirect(call, "/dashboard/sign-in");
      return;
    }
    String body =
        DashboardPage.render(
            s.csrf(),
            s.takeFlash(),
            sources.events().newestFirst(),
            sources.alerts().newestFirst(),
            sources.bans().list(),
            sources.registry(),
            sources.configSummary().get(),
            sources.lint().get(),
            System.currentTimeMillis());
    call.send(200, HTML, body);
  }

  private void signInPage(AdminCall call) {
    if (!guarded(call)) {
      return;
    }
    if (session(call) != null) {
      redirect(call, "/dashboard");
      return;
    }
    call.send(200, HTML, signInForm(null));
  }

  private void signIn(AdminCall call) {
    if (!guarded(call)) {
      return;
    }
    if (!sameOrigin(call)) {
      refuse(call, 403, "This form must be sent from the dashboard's own page (Origin).");
      return;
    }
    Map<String, String> form = FormBody.parse(call.header("content-type"), call.body());
    if (form == null) {
      refuse(call, 400, "Expected a form.");
      return;
    }
    if (sources.operators().enabled()) {
      sources.operators().signIn(call, form, outcome -> signedIn(call, outcome));
      return;
    }
    boolean tokenRequired = sources.authentication().tokenRequired();
    sources
        .authentication()
        .verify(
            call,
            tokenRequired ? form.get("token") : null,
            verdict -> {
              switch (verdict) {
                case LOCKED_OUT ->
                    call.send(
                        429,
                        HTML,
                        DashboardPage.signIn(
                            true, "Too many wrong tokens from this address; try again later."));
                case REFUSED ->
                    call.send(401, HTML, DashboardPage.signIn(true, "Wrong admin token."));
                case ACCEPTED -> signedIn(call, OperatorSignIn.Outcome.signedIn("admin token"));
              }
            });
  }

  /** Starts a session for a signed-in operator, or shows the sign-in page with the refusal. */
  private void signedIn(AdminCall call, OperatorSignIn.Outcome outcome) {
    String operator = outcome.operator();
    if (operator == null) {
      if (outcome.retryAfterSeconds() > 0) {
        call.responseHeader("retry-after", String.valueOf(outcome.retryAfterSeconds()));
      }
      call.send(outcome.status(), HTML, signInForm(outcome.message()));
      return;
    }
    DashboardSessions.Created created = sessions.create(operator);
    call.responseHeader("set-cookie", cookie(call, created.id(), false));
    redirect(call, "/dashboard");
  }

  /** Returns the sign-in page: accounts, the admin token, or just a button. */
  private String signInForm(@Nullable String message) {
    return sources.operators().enabled()
        ? DashboardPage.signInWithAccount(message)
        : DashboardPage.signIn(sources.authentication().tokenRequired(), message);
  }

  private void signOut(AdminCall call) {
    Change c = change(call);
    if (c == null) {
      return;
    }
    sessions.end(c.session());
    call.responseHeader("set-cookie", cookie(call, "", true));
    redirect(call, "/dashboard/sign-in");
  }

  private void ban(AdminCall call) {
    Change c = change(call);
    if (c == null) {
      return;
    }
    Map<String, String> form = c.form();
    DashboardSessions.Session s = c.session();
    String address = OperatorBans.canonical(form.get("address"));
    String d = form.getOrDefault("duration", "1h");
    Duration duration = DURATIONS.contains(d) ? Units.parseDuration(d) : null;
    if (address == null || duration == null) {
      refuse(call, 400, "Expected an IPv4 or IPv6 address and one of the offered durations.");
      return;
    }
    // Answered from the store's thread: the redirect's headers are set now, on the loop.
    call.responseHeader("location", "/dashboard");
    sources
        .bans()
        .ban(address, duration, "banned from the dashboard", call.requestId(), origin(call))
        .thenAccept(
            o -> {
              s.flash(
                  o.done()
                      ? "Banned " + address + " for " + d + "."
                      : "Not banned: " + o.message());
              call.send(303, HTML, "");
            });
  }

  private void unban(AdminCall call) {
    Change c = change(call);
    if (c == null) {
      return;
    }
    Map<String, String> form = c.form();
    DashboardSessions.Session s = c.session();
    String address = OperatorBans.canonical(form.get("address"));
    if (address == null) {
      refuse(call, 400, "Expected an IPv4 or IPv6 address.");
      return;
    }
    call.responseHeader("location", "/dashboard");
    sources
        .bans()
        .unban(address, call.requestId(), origin(call))
        .thenAccept(
            o -> {
              s.flash(o.done() ? "Unbanned " + address + "." : "Not unbanned: " + o.message());
              call.send(303, HTML, "");
            });
  }

  private void eventsJson(AdminCall call) {
    if (!guarded(call)) {
      return;
    }
    if (session(call) == null) {
      call.error(401, "sign in to the dashboard first");
      return;
    }
    call.json(200, DashboardPage.eventsJson(sources.events().newestFirst()));
  }

  private void asset(AdminCall call, String type, byte[] content) {
    if (!guarded(call)) {
      return;
    }
    call.send(200, type + "; charset=utf-8", new String(content, StandardCharsets.UTF_8));
  }

  /**
   * Sets the page headers and refuses a call naming another host on a listener without a token;
   * returns whether the call may go on.
   */
  private boolean guarded(AdminCall call) {
    headers(call);
    if (!sources.authentication().tokenRequired()
        && !AdminAuthentication.namesLocalHost(call.header("host"))) {
      call.send(
          403,
          HTML,
          DashboardPage.message(
              "Refused",
              "Without admin.token the dashboard answers only Host: localhost or an IP address."));
      return false;
    }
    return true;
  }

  /** A change by a signed-in operator: the session and the form's fields. */
  private record Change(DashboardSessions.Session session, Map<String, String> form) {}

  /**
   * Returns the change of a signed-in operator whose form carries the session's CSRF token and
   * whose Origin is this listener; otherwise answers the call and returns null.
   */
  private @Nullable Change change(AdminCall call) {
    if (!guarded(call)) {
      return null;
    }
    DashboardSessions.Session s = session(call);
    if (s == null) {
      refuse(call, 401, "Your session has ended; sign in again.");
      return null;
    }
    if (!sameOrigin(call)) {
      refuse(call, 403, "This form must be sent from the dashboard's own page (Origin).");
      return null;
    }
    Map<String, String> form = FormBody.parse(call.header("content-type"), call.body());
    if (form == null || !s.csrfMatches(form.get("csrf"))) {
      refuse(call, 403, "This form is stale or was not sent by the dashboard (CSRF token).");
      return null;
    }
    return new Change(s, form);
  }

  private DashboardSessions.@Nullable Session session(AdminCall call) {
    return sessions.find(cookieValue(call.header("cookie"), cookieName(call)));
  }

  /** Returns the value of the cookie {@code name}, or null (or null when it is sent twice). */
  static @Nullable String cookieValue(@Nullable String header, String name) {
    if (header == null) {
      return null;
    }
    String found = null;
    for (String part : header.split(";")) {
      String p = part.strip();
      if (p.startsWith(name + "=")) {
        if (found != null) {
          return null;
        }
        found = p.substring(name.length() + 1);
      }
    }
    return found;
  }

  private static String cookieName(AdminCall call) {
    return call.secure() ? SECURE_COOKIE : COOKIE;
  }

  /** Returns a Set-Cookie value: the session id, or an expired empty one to clear it. */
  static String cookie(AdminCall call, String value, boolean clear) {
    return cookieName(call)
        + "="
        + value
        + "; Path=/; HttpOnly; SameSite=Strict"
        + (call.secure() ? "; Secure" : "")
        + (clear ? "; Max-Age=0" : "");
  }

  /**
   * Returns whether a change comes from the dashboard's own page: {@code Origin} is this listener's
   * (scheme and Host). Under {@code Referrer-Policy: no-referrer} a browser sends {@code Origin:
   * null} with a form it posts, so a {@code null} Origin passes only with {@code Sec-Fetch-Site:
   * same-origin}, which a browser sets itself and no page can forge.
   */
  static boolean sameOrigin(AdminCall call) {
    String origin = call.header("origin");
    String host = call.header("host");
    if (origin == null || host == null) {
      return false;
    }
    if (origin.equals("null")) {
      return "same-origin".equals(call.header("sec-fetch-site"));
    }
    return origin.equalsIgnoreCase((call.secure() ? "https://" : "http://") + host);
  }

  private static SecurityEvent.Origin origin(AdminCall call) {
    return new SecurityEvent.Origin(call.peerAddress(), call.header("user-agent"), call.path());
  }

  private static void headers(AdminCall call) {
    call.responseHeader("content-security-policy", CSP)
        .responseHeader("referrer-policy", "no-referrer")
        .responseHeader("x-frame-options", "DENY")
        .responseHeader("cross-origin-opener-policy", "same-origin")
        .responseHeader("cross-origin-resource-policy", "same-origin");
  }

  private static void redirect(AdminCall call, String to) {
    call.responseHeader("location", to);
    call.send(303, HTML, "");
  }

  private static void refuse(AdminCall call, int status, String message) {
    call.send(status, HTML, DashboardPage.message("Refused", message));
  }

  private static byte[] resource(String name) {
    try (InputStream in = Dashboard.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("dashboard asset missing from the jar: " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
