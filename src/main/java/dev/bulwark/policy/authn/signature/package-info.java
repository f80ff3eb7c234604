/**
 * HTTP Message Signatures (RFC 9421) and Content-Digest (RFC 9530) as pure functions: a strict,
 * bounded Structured Fields parser (RFC 8941), the signature base of a request, the signing and
 * verifying algorithms by name, and body digests. Used by the request-signature credential and by
 * {@code bulwark sign}; it reads no configuration and knows no exchange.
 */
@NullMarked
package dev.bulwark.policy.authn.signature;

import org.jspecify.annotations.NullMarked;
