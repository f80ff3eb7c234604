package dev.bulwark.store.postgres;

import com.sun.management.OperatingSystemMXBean;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStore;
import dev.bulwark.store.NewAccount;
import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.sealed.MasterKey;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: prints single-row lookups per second through the account store API on the shared
 * PostgreSQL (by id and by login, with {@code inFlight} lookups outstanding) and the process CPU
 * per lookup, for docs/accounts-store.md. Modest on purpose (a few seconds, one pool of 4).
 *
 * <p>{@code java -cp target/classes:target/test-classes:$(cat cp.txt)
 * dev.bulwark.store.postgres.AccountLookupRate [seconds] [inFlight]}
 */
public final class AccountLookupRate {
  private AccountLookupRate() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    String schema = PostgresServer.newSchema();
    MasterKey key = MasterKey.parse(MasterKey.generateText(), "${env:KEY}");
    try (PostgresStore pg =
        PostgresStore.open(
            PostgresServer.config(
                PostgresServer.HOST, PostgresServer.PORT, schema, Duration.ofSeconds(2)),
            key,
            StoreHealth.unmetered("postgres"))) {
      AccountStore accounts = pg.accounts();
      List<Account> made = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        made.add(
            accounts
                .create(
                    new NewAccount(
                        "user" + i,
                        "user" + i,
                        "user" + i + "@example.com",
                        true,
                        "User " + i,
                        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"))
                .toCompletableFuture()
                .get()
                .orElseThrow());
      }
      run("warm-up byId", 2, inFlight, i -> accounts.byId(made.get(i % 1000).id()));
      run("byId", seconds, inFlight, i -> accounts.byId(made.get(i % 1000).id()));
      run("byLogin", seconds, inFlight, i -> accounts.byLogin("user" + (i % 1000)));
      run("byId, 1 in flight", seconds, 1, i -> accounts.byId(made.get(i % 1000).id()));
    } finally {
      PostgresServer.drop(schema);
    }
  }

  private interface Lookup {
    java.util.concurrent.CompletionStage<?> run(int i);
  }

  private static void run(String name, int seconds, int inFlight, Lookup lookup) throws Exception {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Semaphore slots = new Semaphore(inFlight);
    AtomicLong done = new AtomicLong();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
    int i = 0;
    while (System.nanoTime() < end) {
      slots.acquire();
      CompletableFuture<?> f = lookup.run(i++).toCompletableFuture();
      f.whenComplete(
          (v, e) -> {
            done.incrementAndGet();
            slots.release();
          });
    }
    slots.acquire(inFlight);
    double elapsed = (System.nanoTime() - t0) / 1e9;
    double cpuUs = (os.getProcessCpuTime() - cpu0) / 1e3 / Math.max(1, done.get());
    System.out.printf(
        "%-20s %8.0f lookups/s  %6.1f us CPU/lookup (this JVM; the server's not counted)%n",
        name, done.get() / elapsed, cpuUs);
  }
}
