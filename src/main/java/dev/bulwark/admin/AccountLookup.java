package dev.bulwark.admin;

import dev.bulwark.identity.login.LoginName;
import dev.bulwark.identity.tokens.Origin;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStore;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * How the admin API finds the account a path names (by its id, else by its login name) and says who
 * asked for a session to end.
 */
final class AccountLookup {
  private AccountLookup() {}

  /** Completes with the account that a raw path segment names by id or login name, else 404. */
  static CompletionStage<Account> resolve(AccountStore accounts, String segment) {
    String key = decoded(segment);
    if (key == null || key.length() > LoginName.MAX_RAW_CHARS) {
      return CompletableFuture.failedFuture(
          new JsonRequest.Invalid(400, "id", "expected an account id or login name"));
    }
    return accounts
        .byId(key)
        .thenCompose(
            byId -> {
              if (byId.isPresent()) {
                return CompletableFuture.completedFuture(byId);
              }
              LoginName.Parsed p = LoginName.parse(key);
              LoginName name = p.name();
              return name == null
                  ? CompletableFuture.completedFuture(Optional.<Account>empty())
                  : accounts.byLogin(name.value());
            })
        .thenApply(a -> a.orElseThrow(() -> new JsonRequest.Invalid(404, "", "no such account")));
  }

  /** Decodes a path segment; null when malformed or holding a control character. */
  static @Nullable String decoded(String raw) {
    try {
      String s = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
      return s.isEmpty() || JsonRequest.hasControl(s) ? null : s;
    } catch (IllegalArgumentException malformed) {
      return null;
    }
  }

  /** Returns who ended a session through the admin API: the request, its peer and user agent. */
  static Origin sessionOrigin(AdminCall call) {
    String ua = call.header("user-agent");
    return new Origin(call.requestId(), call.peerAddress(), ua == null ? "-" : ua);
  }
}
