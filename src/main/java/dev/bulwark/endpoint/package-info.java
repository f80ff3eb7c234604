/**
 * Routes whose answer the gateway produces itself rather than an upstream: forward-auth today;
 * login, callback, logout and reset arrive with accounts. Each kind is an {@link EndpointFactory}
 * listed once in {@link EndpointCatalog}; it reads what it needs from the compiled features (this
 * package sits above the policies, and no policy imports it), and its path is placed on every host
 * a route names, before the routes ({@link EndpointRoutes}).
 */
@NullMarked
package dev.bulwark.endpoint;

import org.jspecify.annotations.NullMarked;
