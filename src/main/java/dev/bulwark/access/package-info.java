/**
 * Who may use a route: the access rules of routes ({@code auth} and {@code public}), pure values
 * that the policies enforcing them (authentication, authorization, forward-auth) share without
 * importing one another.
 */
@NullMarked
package dev.bulwark.access;

import org.jspecify.annotations.NullMarked;
