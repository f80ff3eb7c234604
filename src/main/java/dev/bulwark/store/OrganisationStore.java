package dev.bulwark.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Durable organisations and the accounts' memberships of them with a role each, in the package's
 * async convention; input beyond {@link StoredFieldLimits} completes exceptionally with {@link
 * IllegalArgumentException}.
 */
public interface OrganisationStore {
  /** Creates an organisation; completes with it, or empty when {@code slug} is taken. */
  CompletionStage<Optional<Organisation>> create(String slug, String name);

  /** Completes with the organisation of {@code id}, or empty. */
  CompletionStage<Optional<Organisation>> byId(String id);

  /** Completes with the organisation whose slug is {@code slug}, or empty. */
  CompletionStage<Optional<Organisation>> bySlug(String slug);

  /** Completes with at most {@code limit} organisations in id order, after the cursor. */
  CompletionStage<Page<Organisation>> list(String after, int limit);

  /** Deletes an organisation and its memberships; completes with whether it existed. */
  CompletionStage<Boolean> delete(String id);

  /**
   * Makes the account a member of the organisation with {@code role} (or changes its role);
   * completes with whether both exist.
   */
  CompletionStage<Boolean> setMembership(String accountId, String organisationId, String role);

  /** Ends a membership; completes with whether there was one. */
  CompletionStage<Boolean> removeMembership(String accountId, String organisationId);

  /** Completes with at most {@code limit} memberships of the account, in organisation id order. */
  CompletionStage<List<Membership>> membershipsOf(String accountId, int limit);

  /**
   * Completes with at most {@code limit} memberships of the organisation in account id order, after
   * the account id {@code after} (empty for the first page).
   */
  CompletionStage<Page<Membership>> members(String organisationId, String after, int limit);
}
