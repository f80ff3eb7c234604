/** Masking of upstream errors behind generic JSON bodies. */
@NullMarked
package dev.bulwark.policy.errors;

import org.jspecify.annotations.NullMarked;
