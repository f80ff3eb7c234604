package dev.bulwark.admin;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Consumer;

/**
 * Reads an admin request's body whole, up to a limit: a larger one, declared or sent, is refused
 * with {@code 413} at once, without buffering the rest; a body broken off is {@code 400}.
 */
final class BoundedBody {
  /** Receives a refusal: its status and public message. */
  @FunctionalInterface
  interface Refusal {
    void refuse(int status, String message);
  }

  private BoundedBody() {}

  static void read(HttpServerRequest req, int limit, Consumer<byte[]> onBody, Refusal onRefused) {
    String declared = req.getHeader("content-length");
    if (declared != null && (!declared.matches("\\d{1,18}") || Long.parseLong(declared) > limit)) {
      onRefused.refuse(413, tooLarge(limit));
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] done = {false};
    req.handler(
        chunk -> {
          if (done[0]) {
            return;
          }
          if (body.length() + chunk.length() > limit) {
            done[0] = true;
            onRefused.refuse(413, tooLarge(limit));
            return;
          }
          body.appendBuffer(chunk);
        });
    req.exceptionHandler(
        e -> {
          if (!done[0]) {
            done[0] = true;
            onRefused.refuse(400, "unreadable body");
          }
        });
    req.endHandler(
        v -> {
          if (!done[0]) {
            done[0] = true;
            onBody.accept(body.getBytes());
          }
        });
    req.resume();
  }

  private static String tooLarge(int limit) {
    return limit == 0 ? "this endpoint takes no body" : "body larger than " + limit + " bytes";
  }
}
