/** The built-in demo upstream and configuration used by {@code bulwark demo}. */
@NullMarked
package dev.bulwark.demo;

import org.jspecify.annotations.NullMarked;
