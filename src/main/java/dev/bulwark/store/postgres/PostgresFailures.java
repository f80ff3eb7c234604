package dev.bulwark.store.postgres;

import dev.bulwark.store.StoreUnavailable;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jspecify.annotations.Nullable;

/** Turns what JDBC, HikariCP and Flyway throw into one line naming the server and what to do. */
final class PostgresFailures {
  private PostgresFailures() {}

  /** Returns the failure of an operation at run time. */
  static StoreUnavailable operation(String address, String operation, Throwable failure) {
    String state = sqlState(failure);
    String why = reason(failure);
    if (unreachable(failure, state)) {
      return new StoreUnavailable(
          "PostgreSQL at "
              + address
              + " cannot be reached ("
              + why
              + "): "
              + operation
              + " was not applied; check that PostgreSQL runs and store.postgres.url");
    }
    return new StoreUnavailable(
        "PostgreSQL at "
            + address
            + ": "
            + operation
            + " failed ("
            + why
            + (state == null ? "" : ", SQLSTATE " + state)
            + ")");
  }

  /** Returns the failure to open the store at start-up. */
  static StoreUnavailable opening(String address, @Nullable String user, Throwable failure) {
    String state = sqlState(failure);
    String why = reason(failure);
    String what;
    if (state != null && (state.equals("28P01") || state.equals("28000"))) {
      what =
          "refused the login of "
              + (user == null ? "the OS user" : "user " + user)
              + " ("
              + why
              + "): check store.postgres.user and store.postgres.password, and pg_hba.conf";
    } else if ("3D000".equals(state)) {
      what =
          "has no such database (" + why + "): create it (createdb) or correct store.postgres.url";
    } else if (unreachable(failure, state)) {
      what =
          "cannot be reached ("
              + why
              + "): start PostgreSQL (on Debian: pg_ctlcluster --skip-systemctl-redirect 15 main"
              + " start) or correct store.postgres.url";
    } else {
      what = "cannot be used (" + why + (state == null ? "" : ", SQLSTATE " + state) + ")";
    }
    return new StoreUnavailable("store.postgres: PostgreSQL at " + address + " " + what);
  }

  private static boolean unreachable(Throwable failure, @Nullable String state) {
    if (state != null && state.startsWith("08")) {
      return true;
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException || t instanceof java.io.IOException) {
        return true;
      }
    }
    return false;
  }

  private static @Nullable String sqlState(Throwable failure) {
    String found = null;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        found = s.getSQLState();
      }
    }
    return found;
  }

  /** Returns the first line of the deepest message: the server's or the socket's own words. */
  static String reason(Throwable failure) {
    String message = null;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    if (message == null) {
      return failure.getClass().getSimpleName();
    }
    String line = message.strip().lines().findFirst().orElse("");
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }
}
