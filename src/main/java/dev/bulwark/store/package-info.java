/**
 * Shared state behind small interfaces: an embedded (in-memory, bounded) and a cluster (Redis)
 * implementation of each.
 */
@NullMarked
package dev.bulwark.store;

import org.jspecify.annotations.NullMarked;
