/**
 * The durable cluster backend: accounts, organisations and memberships in PostgreSQL, shared by
 * every gateway pointed at it, beside Redis (or the embedded store) for short-lived state. JDBC
 * through a HikariCP pool, on a small bounded executor of its own (never an event loop); the schema
 * by Flyway from {@code db/postgres/} on the class path; personal data and secrets sealed under the
 * store's master key exactly as in the embedded database.
 */
@NullMarked
package dev.bulwark.store.postgres;

import org.jspecify.annotations.NullMarked;
