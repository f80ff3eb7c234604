/**
 * Accounts, organisations and memberships in a SQL database, shared by the embedded backend
 * (SQLite, {@code store/sqlite}) and the cluster one (PostgreSQL, {@code store/postgres}): the same
 * statements, the same sealing of personal data and secrets under the store's {@link
 * dev.bulwark.store.sealed.Keyring}, run by the backend's own {@link
 * dev.bulwark.store.sql.SqlRunner} on threads of its own (never an event loop). Each operation is
 * one transaction.
 */
@NullMarked
package dev.bulwark.store.sql;

import org.jspecify.annotations.NullMarked;
