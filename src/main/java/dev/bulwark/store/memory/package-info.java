/** The embedded store: bounded, expiring in-memory state for one gateway process. */
@NullMarked
package dev.bulwark.store.memory;

import org.jspecify.annotations.NullMarked;
