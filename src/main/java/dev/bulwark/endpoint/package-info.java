/**
 * Routes whose answer the gateway produces itself rather than an upstream ({@code serve: <kind>}
 * instead of {@code upstream}): forward-auth today; login, callback, logout and reset arrive with
 * accounts. Each kind is an {@link EndpointFactory} listed once in {@link EndpointCatalog}, whose
 * kinds the configuration loader accepts; it reads what it needs from the compiled features (this
 * package sits above the policies, and no policy imports it).
 */
@NullMarked
package dev.bulwark.endpoint;

import org.jspecify.annotations.NullMarked;
