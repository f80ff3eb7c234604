package dev.bulwark.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.store.StoreUnavailable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * How the account and organisation APIs answer a call: a request that does not parse is refused
 * before any work, a read is answered with its JSON, a change is answered only once its security
 * event is stored by every durable sink (the audit trail), as the ban API does, and a failure is
 * answered in one line by what failed (the store: {@code 503}; the blocking executor full: {@code
 * 503} with {@code Retry-After}; a value the store refused: {@code 400}).
 */
final class AdminAnswers {
  private static final Logger LOG = Logger.getLogger(AdminAnswers.class.getName());

  private AdminAnswers() {}

  /** A change made: the security event to store, then the status and body to answer with. */
  record Change(SecurityEvent event, int status, ObjectNode body, String made) {}

  /**
   * Returns what {@code parse} reads from the call; when the request is not valid, answers the
   * refusal and returns null.
   */
  static <T> @Nullable T parsed(AdminCall call, Supplier<T> parse) {
    try {
      return parse.get();
    } catch (JsonRequest.Invalid e) {
      e.answer(call);
      return null;
    }
  }

  /**
   * Returns a completion that answers {@code 200} with {@code json} of the result, or the failure.
   */
  static <T> BiConsumer<T, @Nullable Throwable> json(
      AdminCall call, String notDone, Function<? super T, ObjectNode> json) {
    return (result, failure) -> {
      if (failure != null) {
        failed(call, failure, notDone);
      } else {
        call.json(200, json.apply(result).toString());
      }
    };
  }

  /**
   * Returns a completion that stores the {@link Change} made of the result durably and then answers
   * it (see {@link #acknowledge}), or answers the failure.
   */
  static <T> BiConsumer<T, @Nullable Throwable> audited(
      AdminCall call, SecurityEvents security, String notDone, Function<? super T, Change> change) {
    return (result, failure) -> {
      if (failure != null) {
        failed(call, failure, notDone);
        return;
      }
      Change c = change.apply(result);
      acknowledge(call, security, c.event(), c.status(), c.body().toString(), c.made());
    };
  }

  /** Returns who made an admin change: the operator's address, user agent and the path called. */
  static SecurityEvent.Origin origin(AdminCall call) {
    return new SecurityEvent.Origin(call.peerAddress(), call.header("user-agent"), call.path());
  }

  /**
   * Publishes {@code event} durably, then answers {@code status} with {@code json}; when the trail
   * could not store it, answers {@code 503} saying the change was made ({@code made}) but its
   * record was not written.
   */
  private static void acknowledge(
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
  private static void failed(AdminCall call, Throwable failure, String what) {
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
