/** Configuration: parsing, secret references, validation with paths, and the hardening lint. */
@NullMarked
package dev.bulwark.config;

import org.jspecify.annotations.NullMarked;
