/**
 * Security events as typed values and the sinks they fan out to: today the JSON log line (written
 * by {@code observe}); a durable audit trail and alert rules join as further sinks. This package
 * imports nothing else of Bulwark, so every layer that sees a security event may depend on it.
 */
@NullMarked
package dev.bulwark.audit;

import org.jspecify.annotations.NullMarked;
