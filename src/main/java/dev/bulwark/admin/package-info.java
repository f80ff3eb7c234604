/**
 * The admin listener: a router of method and path to handlers with JSON errors, bounded bodies and
 * a request id on every answer; the optional bearer credential that guards it (with failed attempts
 * delayed, thinned out per address and written as security events); and the endpoints it carries:
 * health, readiness, metrics, the gateway's JWKS and the ban API. A dashboard's API joins as
 * further routes.
 */
@NullMarked
package dev.bulwark.admin;

import org.jspecify.annotations.NullMarked;
