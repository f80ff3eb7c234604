package dev.bulwark.store.sql;

import dev.bulwark.store.Page;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** The query shapes the SQL stores share: one row by key, a page by cursor, a refused input. */
final class SqlRows {
  private SqlRows() {}

  /** Reads the current row of a result. */
  @FunctionalInterface
  interface Reader<T> {
    T read(ResultSet r) throws SQLException;
  }

  /** Returns a stage failed with the input problem (a caller's mistake, not the database's). */
  static <T> CompletionStage<T> refused(String problem) {
    return CompletableFuture.failedFuture(new IllegalArgumentException(problem));
  }

  /**
   * Returns the first row of a query with these string parameters, if any (the caller prepares it,
   * from a constant, and closes it).
   */
  static <T> Optional<T> first(PreparedStatement s, Reader<T> reader, String... params)
      throws SQLException {
    for (int i = 0; i < params.length; i++) {
      s.setString(i + 1, params[i]);
    }
    try (ResultSet r = s.executeQuery()) {
      return r.next() ? Optional.of(reader.read(r)) : Optional.empty();
    }
  }

  /**
   * Returns a page of at most {@code limit} rows of a query (prepared by the caller, from a
   * constant) whose parameters are these strings then the row count ({@code LIMIT ?}, asked for one
   * more row to know whether a next page exists); its cursor is the {@code key} of its last row
   * when there is more.
   */
  static <T> Page<T> page(
      PreparedStatement s, int limit, Reader<T> reader, Function<T, String> key, String... params)
      throws SQLException {
    List<T> out = new ArrayList<>();
    for (int i = 0; i < params.length; i++) {
      s.setString(i + 1, params[i]);
    }
    s.setInt(params.length + 1, limit + 1);
    try (ResultSet r = s.executeQuery()) {
      while (r.next()) {
        out.add(reader.read(r));
      }
    }
    if (out.size() > limit) {
      out.remove(limit);
      return new Page<>(out, key.apply(out.get(limit - 1)));
    }
    return new Page<>(out, null);
  }
}
