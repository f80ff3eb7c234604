package dev.bulwark.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The account and organisation stores of a backend that keeps no accounts (Redis without {@code
 * store.postgres}): every operation fails with {@link StoreUnavailable} saying where accounts go.
 * Configuration that uses accounts is refused earlier, at load ({@link StoreConfig#holdsAccounts}).
 */
public final class AccountsUnavailable {
  static final String WHY =
      "accounts and organisations are not kept in Redis: add store.postgres beside store.redis";

  private AccountsUnavailable() {}

  private static <T> CompletionStage<T> no() {
    return CompletableFuture.failedFuture(new StoreUnavailable(WHY));
  }

  /** Returns an account store whose every operation fails. */
  public static AccountStore accounts() {
    return new NoAccounts();
  }

  /** Returns an organisation store whose every operation fails. */
  public static OrganisationStore organisations() {
    return new NoOrganisations();
  }

  private static final class NoAccounts implements AccountStore {
    @Override
    public CompletionStage<Optional<Account>> create(NewAccount account) {
      return no();
    }

    @Override
    public CompletionStage<Optional<Account>> byId(String id) {
      return no();
    }

    @Override
    public CompletionStage<Optional<Account>> byLogin(String normalisedLogin) {
      return no();
    }

    @Override
    public CompletionStage<Page<Account>> list(String after, int limit) {
      return no();
    }

    @Override
    public CompletionStage<Optional<Account>> update(Account changed) {
      return no();
    }

    @Override
    public CompletionStage<Boolean> delete(String id) {
      return no();
    }

    @Override
    public CompletionStage<Boolean> enrolTotp(String id, byte[] secret) {
      return no();
    }

    @Override
    public CompletionStage<Boolean> removeTotp(String id) {
      return no();
    }

    @Override
    public CompletionStage<Optional<TotpSecret>> totp(String id) {
      return no();
    }

    @Override
    public CompletionStage<Boolean> acceptTotpStep(String id, long step) {
      return no();
    }

    @Override
    public CompletionStage<Boolean> replaceRecoveryCodes(String id, List<String> hashes) {
      return no();
    }

    @Override
    public CompletionStage<List<String>> recoveryCodes(String id) {
      return no();
    }

    @Override
    public CompletionStage<Boolean> consumeRecoveryCode(String id, String hash) {
      return no();
    }

    @Override
    public CompletionStage<Boolean> issueToken(
        OneTimePurpose purpose,
        String accountId,
        byte[] tokenHash,
        Instant expires,
        int maxPerAccount) {
      return no();
    }

    @Override
    public CompletionStage<Optional<ConsumedToken>> takeToken(
        OneTimePurpose purpose, byte[] tokenHash, Instant now) {
      return no();
    }

    @Override
    public CompletionStage<Integer> revokeTokens(String accountId) {
      return no();
    }
  }

  private static final class NoOrganisations implements OrganisationStore {
    @Override
    public CompletionStage<Optional<Organisation>> create(String slug, String name) {
      return no();
    }

    @Override
    public CompletionStage<Optional<Organisation>> byId(String id) {
      return no();
    }

    @Override
    public CompletionStage<Optional<Organisation>> bySlug(String slug) {
      return no();
    }

    @Override
    public CompletionStage<Page<Organisation>> list(String after, int limit) {
      return no();
    }

    @Override
    public CompletionStage<Boolean> delete(String id) {
      return no();
    }

    @Override
    public CompletionStage<Boolean> setMembership(
        String accountId, String organisationId, String role) {
      return no();
    }

    @Override
    public CompletionStage<Boolean> removeMembership(String accountId, String organisationId) {
      return no();
    }

    @Override
    public CompletionStage<List<Membership>> membershipsOf(String accountId, int limit) {
      return no();
    }

    @Override
    public CompletionStage<Page<Membership>> members(
        String organisationId, String after, int limit) {
      return no();
    }
  }
}
