/**
 * The embedded durable store: one SQLite file under {@code store.data-dir}, every personal or
 * secret value in it sealed ({@link dev.bulwark.store.sealed}), written through from the in-memory
 * store on a small bounded executor of its own, so a request never waits on the disk.
 */
@NullMarked
package dev.bulwark.store.sqlite;

import org.jspecify.annotations.NullMarked;
