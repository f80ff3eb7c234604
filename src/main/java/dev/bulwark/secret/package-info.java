/**
 * Secrets fetched at run time from HashiCorp Vault: the KV v2 reference, the login methods (token,
 * AppRole, Kubernetes), the HTTP client over verified TLS, token renewal, and the last good value
 * of each secret that keeps serving while Vault is away. The configuration reader resolves {@code
 * ${vault:...}} references through it; this package imports nothing else of Bulwark.
 */
@NullMarked
package dev.bulwark.secret;

import org.jspecify.annotations.NullMarked;
