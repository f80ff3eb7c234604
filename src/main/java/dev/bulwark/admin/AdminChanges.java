package dev.bulwark.admin;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.store.StoreUnavailable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How the account and organisation APIs finish a call: a change is answered only once its security
 * event is stored by every durable sink (the audit trail), as the ban API does, and a failure is
 * answered in one line by what failed (the store: {@code 503}; the blocking executor full: {@code
 * 503} with {@code Retry-After}; a value the store refused: {@code 400}).
 */
final class AdminChanges {
  private static final Logger LOG = Logger.getLogger(AdminChanges.class.getName());

  private AdminChanges() {}

  /** Returns who made an admin change: the operator's address, user agent and the path called. */
  static SecurityEvent.Origin origin(AdminCall call) {
    return new SecurityEvent.Origin(call.peerAddress(), call.header("user-agent"), call.path());
  }

  /**
   * Publishes {@code event} durably, then answers {@code status} with {@code json}; when the trail
   * could not store it, answers {@code 503} saying the change was made ({@code made}) but its
   * record was not written.
   */
  static void acknowledge(
      AdminCall call,
      SecurityEvents security,
      SecurityEvent event,
      int status,
      String json,
      String made) {
    security
        .publishDurably(event.withOrigin(origin(call)))
        .whenComplete(
            (stored, lost) -> {
              if (lost != null) {
                call.error(503, made + ", but its audit record was not written; check it");
              } else {
                call.json(status, json);
              }
            });
  }

  /** Answers a call whose store or hashing step failed. */
  static void failed(AdminCall call, Throwable failure, String what) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof JsonRequest.Invalid invalid) {
      invalid.answer(call);
    } else if (cause instanceof StoreUnavailable) {
      call.error(503, what + ": the account store is unavailable (" + cause.getMessage() + ")");
    } else if (cause instanceof BlockingExecutor.Refused) {
      call.responseHeader("retry-after", "1");
      call.error(503, what + ": the gateway is busy; retry in a second");
    } else if (cause instanceof IllegalArgumentException) {
      call.error(400, what + ": " + cause.getMessage());
    } else {
      LOG.log(Level.WARNING, "admin " + call.method() + " " + call.path() + " failed", cause);
      call.error(500, what + ": internal error");
    }
  }
}
