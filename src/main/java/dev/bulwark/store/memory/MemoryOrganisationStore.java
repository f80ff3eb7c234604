package dev.bulwark.store.memory;

import static java.util.concurrent.CompletableFuture.completedFuture;

import dev.bulwark.store.Membership;
import dev.bulwark.store.Organisation;
import dev.bulwark.store.OrganisationStore;
import dev.bulwark.store.Page;
import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.StoredFieldLimits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Organisations and memberships in this process's memory, at most {@code max} of each; shares one
 * lock with the {@link MemoryAccountStore} whose accounts the memberships name.
 */
public final class MemoryOrganisationStore implements OrganisationStore {
  private final Object lock = new Object();
  private final long max;
  private final TreeMap<String, Organisation> organisations = new TreeMap<>();
  private final Map<String, String> bySlug = new HashMap<>();
  // account id -> organisation id -> role, and organisation id -> account id -> role
  private final Map<String, TreeMap<String, String>> byAccount = new HashMap<>();
  private final Map<String, TreeMap<String, String>> byOrganisation = new HashMap<>();
  private long memberships;
  private Predicate<String> accountExists = id -> false;

  /** Holds at most {@code max} organisations and {@code max} memberships. */
  public MemoryOrganisationStore(long max) {
    this.max = max;
  }

  Object lock() {
    return lock;
  }

  void accountsAre(Predicate<String> exists) {
    this.accountExists = exists;
  }

  private static <T> CompletionStage<T> failed(String problem) {
    return CompletableFuture.failedFuture(new IllegalArgumentException(problem));
  }

  @Override
  public CompletionStage<Optional<Organisation>> create(String slug, String name) {
    String problem = StoredFieldLimits.organisationProblem(slug, name);
    if (problem != null) {
      return failed(problem);
    }
    synchronized (lock) {
      if (bySlug.containsKey(slug)) {
        return completedFuture(Optional.empty());
      }
      if (organisations.size() >= max) {
        return CompletableFuture.failedFuture(
            new StoreUnavailable(
                "embedded organisation store full (" + max + "; store.max-keys bounds it)"));
      }
      Organisation o = new Organisation(UUID.randomUUID().toString(), slug, name, Instant.now());
      organisations.put(o.id(), o);
      bySlug.put(slug, o.id());
      return completedFuture(Optional.of(o));
    }
  }

  @Override
  public CompletionStage<Optional<Organisation>> byId(String id) {
    synchronized (lock) {
      return completedFuture(Optional.ofNullable(organisations.get(id)));
    }
  }

  @Override
  public CompletionStage<Optional<Organisation>> bySlug(String slug) {
    synchronized (lock) {
      String id = bySlug.get(slug);
      return completedFuture(Optional.ofNullable(id == null ? null : organisations.get(id)));
    }
  }

  @Override
  public CompletionStage<Page<Organisation>> list(String after, int limit) {
    String problem = StoredFieldLimits.pageProblem(limit);
    if (problem != null) {
      return failed(problem);
    }
    synchronized (lock) {
      return completedFuture(page(organisations.tailMap(after, false).values(), limit));
    }
  }

  private static Page<Organisation> page(Iterable<Organisation> from, int limit) {
    List<Organisation> out = new ArrayList<>();
    for (Organisation o : from) {
      if (out.size() == limit) {
        return new Page<>(out, out.get(out.size() - 1).id());
      }
      out.add(o);
    }
    return new Page<>(out, null);
  }

  @Override
  public CompletionStage<Boolean> delete(String id) {
    synchronized (lock) {
      Organisation o = organisations.remove(id);
      if (o == null) {
        return completedFuture(false);
      }
      bySlug.remove(o.slug());
      TreeMap<String, String> members = byOrganisation.remove(id);
      if (members != null) {
        for (String account : members.keySet()) {
          remove(byAccount, account, id);
          memberships--;
        }
      }
      return completedFuture(true);
    }
  }

  private static void remove(Map<String, TreeMap<String, String>> index, String a, String b) {
    TreeMap<String, String> m = index.get(a);
    if (m != null) {
      m.remove(b);
      if (m.isEmpty()) {
        index.remove(a);
      }
    }
  }

  /** Ends every membership of a deleted account (called under the shared lock). */
  void forgetAccount(String accountId) {
    TreeMap<String, String> orgs = byAccount.remove(accountId);
    if (orgs != null) {
      for (String org : orgs.keySet()) {
        remove(byOrganisation, org, accountId);
        memberships--;
      }
    }
  }

  @Override
  public CompletionStage<Boolean> setMembership(
      String accountId, String organisationId, String role) {
    String problem = StoredFieldLimits.slugProblem("role", role);
    if (problem != null) {
      return failed(problem);
    }
    synchronized (lock) {
      if (!organisations.containsKey(organisationId) || !accountExists.test(accountId)) {
        return completedFuture(false);
      }
      @Nullable String before =
          byAccount.computeIfAbsent(accountId, k -> new TreeMap<>()).get(organisationId);
      if (before == null && memberships >= max) {
        return CompletableFuture.failedFuture(
            new StoreUnavailable(
                "embedded membership store full (" + max + "; store.max-keys bounds it)"));
      }
      byAccount.get(accountId).put(organisationId, role);
      byOrganisation.computeIfAbsent(organisationId, k -> new TreeMap<>()).put(accountId, role);
      if (before == null) {
        memberships++;
      }
      return completedFuture(true);
    }
  }

  @Override
  public CompletionStage<Boolean> removeMembership(String accountId, String organisationId) {
    synchronized (lock) {
      TreeMap<String, String> orgs = byAccount.get(accountId);
      if (orgs == null || !orgs.containsKey(organisationId)) {
        return completedFuture(false);
      }
      remove(byAccount, accountId, organisationId);
      remove(byOrganisation, organisationId, accountId);
      memberships--;
      return completedFuture(true);
    }
  }

  @Override
  public CompletionStage<List<Membership>> membershipsOf(String accountId, int limit) {
    String problem = StoredFieldLimits.pageProblem(limit);
    if (problem != null) {
      return failed(problem);
    }
    synchronized (lock) {
      List<Membership> out = new ArrayList<>();
      TreeMap<String, String> orgs = byAccount.get(accountId);
      if (orgs != null) {
        for (Map.Entry<String, String> e : orgs.entrySet()) {
          if (out.size() == limit) {
            break;
          }
          out.add(new Membership(accountId, e.getKey(), e.getValue()));
        }
      }
      return completedFuture(out);
    }
  }

  @Override
  public CompletionStage<Page<Membership>> members(String organisationId, String after, int limit) {
    String problem = StoredFieldLimits.pageProblem(limit);
    if (problem != null) {
      return failed(problem);
    }
    synchronized (lock) {
      List<Membership> out = new ArrayList<>();
      TreeMap<String, String> accounts = byOrganisation.get(organisationId);
      if (accounts != null) {
        for (Map.Entry<String, String> e : accounts.tailMap(after, false).entrySet()) {
          if (out.size() == limit) {
            return completedFuture(new Page<>(out, out.get(out.size() - 1).accountId()));
          }
          out.add(new Membership(e.getKey(), organisationId, e.getValue()));
        }
      }
      return completedFuture(new Page<>(out, null));
    }
  }
}
