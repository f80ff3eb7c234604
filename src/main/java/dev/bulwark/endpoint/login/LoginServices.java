package dev.bulwark.endpoint.login;

import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.identity.IdentitySettings;
import dev.bulwark.identity.login.LoginThrottle;
import dev.bulwark.identity.password.PasswordHasher;
import dev.bulwark.identity.password.PasswordPolicy;
import dev.bulwark.identity.tokens.LocalIssuer;
import dev.bulwark.identity.tokens.TokenService;
import dev.bulwark.identity.totp.AccountFactors;
import dev.bulwark.identity.totp.TotpVerifier;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.store.AccountStore;
import java.time.Clock;

/**
 * What the login API's operations share on one route: the account store, the password hasher at the
 * configured cost and the password policy, the throttle, the TOTP verifier and issuer name, the
 * second-factor challenges and pending enrolments, the token service and the checks of its access
 * tokens, the blocking executor, the security events, the clock and the route's name.
 */
record LoginServices(
    AccountStore accounts,
    StoredClaims claims,
    PasswordHasher hasher,
    PasswordPolicy policy,
    LoginThrottle throttle,
    TotpVerifier totp,
    String totpIssuer,
    MfaChallenges challenges,
    EnrolmentTokens enrolments,
    TokenService tokens,
    OwnAccessTokens accessTokens,
    BlockingExecutor blocking,
    SecurityEvents security,
    Clock clock,
    String route) {

  /** Returns the checks of an account's TOTP and recovery codes over this route's store. */
  AccountFactors factors() {
    return new AccountFactors(accounts, totp, clock);
  }

  /** Returns the services of a route over the gateway's stores. */
  static LoginServices create(
      GatewayContext gateway,
      IdentitySettings identity,
      LoginSettings settings,
      TokenService tokens,
      LocalIssuer issuer,
      String route) {
    AccountStore accounts = gateway.stores().accounts();
    return new LoginServices(
        accounts,
        new StoredClaims(accounts, gateway.stores().organisations()),
        new PasswordHasher(identity.passwords().argon2()),
        PasswordPolicy.of(identity.passwords()),
        new LoginThrottle(identity.loginThrottle(), gateway.stores().bans(), gateway.security()),
        new TotpVerifier(identity.totp()),
        identity.totp().issuer(),
        new MfaChallenges(accounts, settings.mfaTokenTtl(), gateway.clock()),
        new EnrolmentTokens(accounts, gateway.clock()),
        tokens,
        new OwnAccessTokens(issuer, gateway.clock()),
        gateway.blocking(),
        gateway.security(),
        gateway.clock(),
        route);
  }
}
