/**
 * The security dashboard on the admin listener: server-rendered pages under {@code /dashboard}
 * behind a sign-in with the admin token (a server-side session in an {@code HttpOnly}, {@code
 * SameSite=Strict} cookie; a CSRF token and an {@code Origin} check on every change), showing the
 * recent security events, denials, top offending addresses with one-click bans, active bans,
 * alerts, rate-limit refusals per route and the configuration in force with its lint. Every value
 * is escaped; every page carries a strict Content-Security-Policy and loads only its own CSS and
 * JavaScript.
 */
@NullMarked
package dev.bulwark.admin.dashboard;

import org.jspecify.annotations.NullMarked;
