package dev.bulwark.store.memory;

import static java.util.concurrent.CompletableFuture.completedFuture;

import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStatus;
import dev.bulwark.store.AccountStore;
import dev.bulwark.store.ConsumedToken;
import dev.bulwark.store.NewAccount;
import dev.bulwark.store.OneTimePurpose;
import dev.bulwark.store.Page;
import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.StoredFieldLimits;
import dev.bulwark.store.TotpSecret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Accounts in this process's memory (lost at exit), at most {@code maxAccounts}: beyond that a
 * creation fails rather than the heap growing. A deleted account is forgotten entirely (nothing
 * durable can refer to it). Every operation holds one lock, so each is atomic.
 */
public final class MemoryAccountStore implements AccountStore {
  private final Object lock;
  private final long maxAccounts;
  private final TreeMap<String, Entry> accounts = new TreeMap<>();
  private final Map<String, String> byLogin = new HashMap<>();
  private final Map<String, Token> tokens = new HashMap<>();
  private final MemoryOrganisationStore organisations;
  private long sequence;

  private static final class Entry {
    Account account;
    final String normalisedLogin;
    byte @Nullable [] totp;
    long lastStep = -1;
    List<String> recovery = new ArrayList<>();

    Entry(Account account, String normalisedLogin) {
      this.account = account;
      this.normalisedLogin = normalisedLogin;
    }
  }

  private record Token(OneTimePurpose purpose, String accountId, Instant expires, long seq) {}

  /** Holds at most {@code maxAccounts} accounts, deleting memberships in {@code organisations}. */
  public MemoryAccountStore(long maxAccounts, MemoryOrganisationStore organisations) {
    this.maxAccounts = maxAccounts;
    this.organisations = organisations;
    this.lock = organisations.lock();
    organisations.accountsAre(this::exists);
  }

  private boolean exists(String id) {
    return accounts.containsKey(id);
  }

  private static <T> CompletionStage<T> refused(@Nullable String problem, Supplier<T> work) {
    if (problem != null) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(problem));
    }
    try {
      return completedFuture(work.get());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletionStage<Optional<Account>> create(NewAccount a) {
    return refused(
        StoredFieldLimits.problem(a),
        () -> {
          synchronized (lock) {
            if (byLogin.containsKey(a.normalisedLogin())) {
              return Optional.empty();
            }
            if (accounts.size() >= maxAccounts) {
              throw new StoreUnavailable(
                  "embedded account store full ("
                      + maxAccounts
                      + " accounts; store.max-keys bounds it): delete accounts or use a data-dir");
            }
            Instant now = Instant.now();
            Account account =
                new Account(
                    UUID.randomUUID().toString(),
                    a.loginName(),
                    a.email(),
                    a.emailVerified(),
                    a.displayName(),
                    AccountStatus.ACTIVE,
                    now,
                    now,
                    a.passwordHash(),
                    false,
                    1);
            accounts.put(account.id(), new Entry(account, a.normalisedLogin()));
            byLogin.put(a.normalisedLogin(), account.id());
            return Optional.of(account);
          }
        });
  }

  @Override
  public CompletionStage<Optional<Account>> byId(String id) {
    synchronized (lock) {
      Entry e = accounts.get(id);
      return completedFuture(e == null ? Optional.empty() : Optional.of(e.account));
    }
  }

  @Override
  public CompletionStage<Optional<Account>> byLogin(String normalisedLogin) {
    synchronized (lock) {
      String id = byLogin.get(normalisedLogin);
      Entry e = id == null ? null : accounts.get(id);
      return completedFuture(e == null ? Optional.empty() : Optional.of(e.account));
    }
  }

  @Override
  public CompletionStage<Page<Account>> list(String after, int limit) {
    return refused(
        StoredFieldLimits.pageProblem(limit),
        () -> {
          synchronized (lock) {
            List<Account> out = new ArrayList<>();
            for (Entry e : accounts.tailMap(after, false).values()) {
              if (out.size() == limit) {
                return new Page<>(out, out.get(out.size() - 1).id());
              }
              out.add(e.account);
            }
            return new Page<>(out, null);
          }
        });
  }

  @Override
  public CompletionStage<Optional<Account>> update(Account changed) {
    return refused(
        StoredFieldLimits.problem(changed),
        () -> {
          synchronized (lock) {
            Entry e = accounts.get(changed.id());
            if (e == null || e.account.version() != changed.version()) {
              return Optional.empty();
            }
            Account old = e.account;
            e.account =
                new Account(
                    old.id(),
                    old.loginName(),
                    changed.email(),
                    changed.emailVerified(),
                    changed.displayName(),
                    changed.status(),
                    old.created(),
                    later(old.updated()),
                    changed.passwordHash(),
                    old.totpEnrolled(),
                    old.version() + 1);
            return Optional.of(e.account);
          }
        });
  }

  private static Instant later(Instant before) {
    Instant now = Instant.now();
    return now.isAfter(before) ? now : before;
  }

  @Override
  public CompletionStage<Boolean> delete(String id) {
    synchronized (lock) {
      Entry e = accounts.remove(id);
      if (e == null) {
        return completedFuture(false);
      }
      byLogin.remove(e.normalisedLogin);
      tokens.values().removeIf(t -> t.accountId().equals(id));
      organisations.forgetAccount(id);
      return completedFuture(true);
    }
  }

  private void setTotp(Entry e, byte @Nullable [] secret) {
    e.totp = secret;
    e.lastStep = -1;
    Account a = e.account;
    e.account =
        new Account(
            a.id(),
            a.loginName(),
            a.email(),
            a.emailVerified(),
            a.displayName(),
            a.status(),
            a.created(),
            a.updated(),
            a.passwordHash(),
            secret != null,
            a.version());
  }

  @Override
  public CompletionStage<Boolean> enrolTotp(String id, byte[] secret) {
    return refused(
        StoredFieldLimits.totpProblem(secret),
        () -> {
          synchronized (lock) {
            Entry e = accounts.get(id);
            if (e == null) {
              return false;
            }
            setTotp(e, secret.clone());
            return true;
          }
        });
  }

  @Override
  public CompletionStage<Boolean> removeTotp(String id) {
    synchronized (lock) {
      Entry e = accounts.get(id);
      if (e == null || e.totp == null) {
        return completedFuture(false);
      }
      setTotp(e, null);
      return completedFuture(true);
    }
  }

  @Override
  public CompletionStage<Optional<TotpSecret>> totp(String id) {
    synchronized (lock) {
      Entry e = accounts.get(id);
      byte[] secret = e == null ? null : e.totp;
      return completedFuture(
          e == null || secret == null
              ? Optional.empty()
              : Optional.of(new TotpSecret(secret, e.lastStep)));
    }
  }

  @Override
  public CompletionStage<Boolean> acceptTotpStep(String id, long step) {
    synchronized (lock) {
      Entry e = accounts.get(id);
      if (e == null || e.totp == null || step <= e.lastStep) {
        return completedFuture(false);
      }
      e.lastStep = step;
      return completedFuture(true);
    }
  }

  @Override
  public CompletionStage<Boolean> replaceRecoveryCodes(String id, List<String> hashes) {
    return refused(
        StoredFieldLimits.recoveryProblem(hashes),
        () -> {
          synchronized (lock) {
            Entry e = accounts.get(id);
            if (e == null) {
              return false;
            }
            e.recovery = new ArrayList<>(hashes);
            return true;
          }
        });
  }

  @Override
  public CompletionStage<List<String>> recoveryCodes(String id) {
    synchronized (lock) {
      Entry e = accounts.get(id);
      return completedFuture(e == null ? List.of() : List.copyOf(e.recovery));
    }
  }

  @Override
  public CompletionStage<Boolean> consumeRecoveryCode(String id, String hash) {
    byte[] wanted = hash.getBytes(StandardCharsets.UTF_8);
    synchronized (lock) {
      Entry e = accounts.get(id);
      if (e == null) {
        return completedFuture(false);
      }
      for (Iterator<String> i = e.recovery.iterator(); i.hasNext(); ) {
        if (MessageDigest.isEqual(i.next().getBytes(StandardCharsets.UTF_8), wanted)) {
          i.remove();
          return completedFuture(true);
        }
      }
      return completedFuture(false);
    }
  }

  @Override
  public CompletionStage<Boolean> issueToken(
      OneTimePurpose purpose,
      String accountId,
      byte[] tokenHash,
      Instant expires,
      int maxPerAccount) {
    return refused(
        StoredFieldLimits.tokenProblem(tokenHash, maxPerAccount),
        () -> {
          synchronized (lock) {
            if (!accounts.containsKey(accountId)) {
              return false;
            }
            Instant now = Instant.now();
            tokens.values().removeIf(t -> !t.expires().isAfter(now));
            List<Map.Entry<String, Token>> mine = new ArrayList<>();
            for (Map.Entry<String, Token> t : tokens.entrySet()) {
              if (t.getValue().accountId().equals(accountId) && t.getValue().purpose() == purpose) {
                mine.add(t);
              }
            }
            mine.sort((x, y) -> Long.compare(x.getValue().seq(), y.getValue().seq()));
            for (int i = 0; i <= mine.size() - maxPerAccount; i++) {
              tokens.remove(mine.get(i).getKey());
            }
            tokens.put(
                HexFormat.of().formatHex(tokenHash),
                new Token(purpose, accountId, expires, ++sequence));
            return true;
          }
        });
  }

  @Override
  public CompletionStage<Optional<ConsumedToken>> takeToken(
      OneTimePurpose purpose, byte[] tokenHash, Instant now) {
    synchronized (lock) {
      String key = HexFormat.of().formatHex(tokenHash);
      Token t = tokens.get(key);
      if (t == null || t.purpose() != purpose) {
        return completedFuture(Optional.empty());
      }
      tokens.remove(key);
      return completedFuture(
          t.expires().isAfter(now) && accounts.containsKey(t.accountId())
              ? Optional.of(new ConsumedToken(t.accountId(), t.expires()))
              : Optional.empty());
    }
  }

  @Override
  public CompletionStage<Integer> revokeTokens(String accountId) {
    synchronized (lock) {
      int before = tokens.size();
      tokens.values().removeIf(t -> t.accountId().equals(accountId));
      return completedFuture(before - tokens.size());
    }
  }
}
