/**
 * Configuration: parsing, secret references, validation with paths, and the hardening lint; the
 * policy sections are read through {@link dev.bulwark.config.ConfigSection}, naming no policy.
 */
@NullMarked
package dev.bulwark.config;

import org.jspecify.annotations.NullMarked;
