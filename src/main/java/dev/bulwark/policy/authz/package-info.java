/** Deny-by-default route authorization: rules over roles, scopes, claims and organisations. */
@NullMarked
package dev.bulwark.policy.authz;

import org.jspecify.annotations.NullMarked;
