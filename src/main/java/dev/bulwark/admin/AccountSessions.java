package dev.bulwark.admin;

import static java.util.Objects.requireNonNull;

import dev.bulwark.identity.tokens.Origin;
import dev.bulwark.identity.tokens.SessionInfo;
import dev.bulwark.identity.tokens.TokenService;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The sessions of accounts as the admin API lists and revokes them: those of the gateway's own
 * token issuer ({@code identity.tokens}), or {@link #NONE} when it issues no tokens (no account has
 * a session then).
 */
public interface AccountSessions {
  /** No sessions: the gateway issues no tokens. */
  AccountSessions NONE =
      new AccountSessions() {
        @Override
        public CompletionStage<List<SessionInfo>> sessions(String account) {
          return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletionStage<Boolean> revoke(String sessionId, Origin origin) {
          return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletionStage<Integer> revokeAll(String account, Origin origin) {
          return CompletableFuture.completedFuture(0);
        }
      };

  /** Completes with the live sessions of an account, oldest first. */
  CompletionStage<List<SessionInfo>> sessions(String account);

  /** Revokes one session; completes with whether it was live. */
  CompletionStage<Boolean> revoke(String sessionId, Origin origin);

  /** Revokes every session of an account; completes with how many were live. */
  CompletionStage<Integer> revokeAll(String account, Origin origin);

  /** Returns the sessions of the gateway's token issuer; revocations say {@code admin} did it. */
  static AccountSessions of(TokenService tokens) {
    requireNonNull(tokens, "tokens");
    return new AccountSessions() {
      @Override
      public CompletionStage<List<SessionInfo>> sessions(String account) {
        return tokens.sessions(account);
      }

      @Override
      public CompletionStage<Boolean> revoke(String sessionId, Origin origin) {
        return tokens.revokeSession(sessionId, origin, "admin");
      }

      @Override
      public CompletionStage<Integer> revokeAll(String account, Origin origin) {
        return tokens.revokeAll(account, origin, "admin");
      }
    };
  }
}
