package dev.bulwark.demo;

import dev.bulwark.identity.login.LoginName;
import dev.bulwark.identity.password.Argon2Cost;
import dev.bulwark.identity.password.PasswordHasher;
import dev.bulwark.identity.totp.TotpSecret;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStore;
import dev.bulwark.store.NewAccount;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The demo's two accounts, made at start in the gateway's store with one generated password: {@code
 * demo} (password only) and {@code demo-2fa} (password and a generated TOTP secret), so that the
 * login API, the {@code mfa} rule and step-up can be tried with curl and {@code oathtool}.
 */
public final class DemoUsers {
  /** The login name of the password-only account. */
  public static final String PLAIN = "demo";

  /** The login name of the account with TOTP. */
  public static final String TWO_FACTOR = "demo-2fa";

  private static final String WORDS = "abcdefghjkmnpqrstuvwxyz23456789";

  private DemoUsers() {}

  /** The generated password and TOTP secret (Base32), shown once in the demo's banner. */
  public record Created(String password, String totpSecret) {
    @Override
    public String toString() {
      return "Created[secrets not shown]";
    }
  }

  /** Creates both accounts; fails when the store refuses. */
  public static Created create(AccountStore accounts) throws Exception {
    SecureRandom random = new SecureRandom();
    StringBuilder pw = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      if (i > 0 && i % 5 == 0) {
        pw.append('-');
      }
      pw.append(WORDS.charAt(random.nextInt(WORDS.length())));
    }
    String password = pw.toString();
    String hash = new PasswordHasher(Argon2Cost.OWASP).hash(password);
    create(accounts, PLAIN, hash);
    Account two = create(accounts, TWO_FACTOR, hash);
    TotpSecret secret = TotpSecret.generate(random);
    accounts.enrolTotp(two.id(), secret.bytes()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    return new Created(password, secret.base32());
  }

  private static Account create(AccountStore accounts, String login, String hash) throws Exception {
    String normalised = Objects.requireNonNull(LoginName.parse(login).name()).value();
    // A data directory kept from an earlier run (--dir): its account of the same name goes, since
    // its password was shown once and is not kept.
    java.util.Optional<Account> earlier =
        accounts.byLogin(normalised).toCompletableFuture().get(10, TimeUnit.SECONDS);
    if (earlier.isPresent()) {
      accounts.delete(earlier.get().id()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    return accounts
        .create(new NewAccount(login, normalised, null, false, login, hash))
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS)
        .orElseThrow(() -> new IllegalStateException("demo account " + login + " exists"));
  }
}
