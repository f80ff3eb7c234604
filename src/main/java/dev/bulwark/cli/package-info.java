/** Command line entry points. */
@NullMarked
package dev.bulwark.cli;

import org.jspecify.annotations.NullMarked;
