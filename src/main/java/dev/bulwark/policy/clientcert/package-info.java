/**
 * Client certificates per route: the listener requests one, each route that asks verifies it (PKIX
 * with its CA bundle, CRLs, OCSP, chain length, allowed names) and refuses with 496 or 495.
 */
@NullMarked
package dev.bulwark.policy.clientcert;

import org.jspecify.annotations.NullMarked;
