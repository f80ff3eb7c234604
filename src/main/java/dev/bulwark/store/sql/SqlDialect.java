package dev.bulwark.store.sql;

/**
 * What differs between the SQL databases the account stores run on: how a read locks the rows it
 * returns until the transaction ends (PostgreSQL; SQLite has one writer at a time, so nothing).
 */
public enum SqlDialect {
  SQLITE(""),
  POSTGRESQL(" FOR UPDATE");

  private final String lockRows;

  SqlDialect(String lockRows) {
    this.lockRows = lockRows;
  }

  /** Returns the clause that locks the selected rows, or an empty string. */
  String lockRows() {
    return lockRows;
  }
}
