/**
 * Idempotency-Key enforcement (stage 8): retries of unsafe requests are answered with the first
 * execution's stored response instead of reaching the upstream again.
 */
@NullMarked
package dev.bulwark.policy.idempotency;

import org.jspecify.annotations.NullMarked;
