package dev.bulwark.endpoint.login;

import dev.bulwark.identity.tokens.AccountClaims;
import dev.bulwark.identity.tokens.TokenSubject;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStatus;
import dev.bulwark.store.AccountStore;
import dev.bulwark.store.Membership;
import dev.bulwark.store.Organisation;
import dev.bulwark.store.OrganisationStore;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * What an access token says of an account, read from the stores at sign-in and at every refresh:
 * {@code orgs} holds the slugs of the organisations it is a member of (as {@code member-of:{org}}
 * compares them with the request), {@code roles} each membership's role as {@code SLUG:ROLE}, so
 * that an owner of one organisation is never taken for an owner of the gateway's routes; null once
 * the account is gone or disabled.
 */
final class StoredClaims implements AccountClaims {
  /** The most memberships carried in a token. */
  static final int MAX_MEMBERSHIPS = 64;

  private final AccountStore accounts;
  private final OrganisationStore organisations;

  StoredClaims(AccountStore accounts, OrganisationStore organisations) {
    this.accounts = accounts;
    this.organisations = organisations;
  }

  @Override
  public CompletionStage<@Nullable TokenSubject> current(String account) {
    return accounts
        .byId(account)
        .thenCompose(
            a -> {
              if (a.isEmpty() || a.get().status() != AccountStatus.ACTIVE) {
                CompletionStage<@Nullable TokenSubject> none =
                    CompletableFuture.completedFuture(null);
                return none;
              }
              return of(a.get());
            });
  }

  /** Completes with the subject of an account that may sign in. */
  CompletionStage<@Nullable TokenSubject> of(Account account) {
    return organisations
        .membershipsOf(account.id(), MAX_MEMBERSHIPS)
        .thenCompose(
            memberships -> {
              List<CompletableFuture<Optional<Organisation>>> orgs = new ArrayList<>();
              for (Membership m : memberships) {
                orgs.add(organisations.byId(m.organisationId()).toCompletableFuture());
              }
              return CompletableFuture.allOf(orgs.toArray(CompletableFuture[]::new))
                  .thenApply(
                      done -> {
                        Set<String> slugs = new LinkedHashSet<>();
                        Set<String> roles = new LinkedHashSet<>();
                        for (int i = 0; i < memberships.size(); i++) {
                          Optional<Organisation> o = orgs.get(i).join();
                          if (o.isPresent()) {
                            slugs.add(o.get().slug());
                            roles.add(o.get().slug() + ":" + memberships.get(i).role());
                          }
                        }
                        return new TokenSubject(account.id(), roles, slugs);
                      });
            });
  }
}
