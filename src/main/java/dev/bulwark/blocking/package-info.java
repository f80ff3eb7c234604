/**
 * The bounded executor for blocking work (password hashing, JDBC, file I/O): a fixed number of
 * threads and a bounded queue, a clear refusal when full, and completions that come back to the
 * exchange's event loop. It imports only {@code exchange}, so identity services and stores below
 * the policies may use it.
 */
@NullMarked
package dev.bulwark.blocking;

import org.jspecify.annotations.NullMarked;
