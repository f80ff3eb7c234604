package dev.bulwark.store.sqlite;

import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.sealed.SealRefused;
import dev.bulwark.store.sql.SqlRunner;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Runs the account stores' work on the embedded database's own thread, counting failures in the
 * store's health and reporting each as one line naming the database file.
 */
final class EmbeddedSqlRunner implements SqlRunner {
  private final EmbeddedDatabase db;
  private final StoreHealth health;

  EmbeddedSqlRunner(EmbeddedDatabase db, StoreHealth health) {
    this.db = db;
    this.health = health;
  }

  @Override
  public <T> CompletionStage<T> run(String operation, Work<T> work) {
    CompletableFuture<T> done = new CompletableFuture<>();
    db.submit(work::run)
        .whenComplete(
            (v, failure) -> {
              if (failure == null) {
                health.ok();
                done.complete(v);
                return;
              }
              Throwable cause =
                  failure instanceof CompletionException && failure.getCause() != null
                      ? failure.getCause()
                      : failure;
              health.failed(operation, cause);
              done.completeExceptionally(unavailable(cause));
            });
    return done;
  }

  private Throwable unavailable(Throwable cause) {
    if (cause instanceof SealRefused || cause instanceof StoreUnavailable) {
      return cause;
    }
    String why =
        cause instanceof SQLException && cause.getMessage() != null
            ? cause.getMessage().strip()
            : String.valueOf(cause.getMessage());
    return new StoreUnavailable(db.directory().database() + ": " + why);
  }
}
