package dev.bulwark.policy.authn;

import dev.bulwark.exchange.DecisionTrace;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.HeaderMap;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A route's credential providers in order: each is asked in turn until one recognises its
 * credential; the first {@link Verdict.Authenticated} or {@link Verdict.Invalid} decides, and when
 * every provider abstains the verdict is {@link Verdict#notMine()}. Verdicts are delivered on the
 * exchange's event loop.
 */
public final class Credentials {
  private static final CharSequence WWW_AUTHENTICATE = HeaderMap.constant("WWW-Authenticate");
  private static final Denial NO_CREDENTIAL =
      Denial.of(401, "unauthorized", "no credential presented");

  private final CredentialProvider[] providers;
  private final Denial missing;

  public Credentials(List<CredentialProvider> providers) {
    if (providers.isEmpty()) {
      throw new IllegalArgumentException("providers: [] (expected: at least one)");
    }
    this.providers = providers.toArray(new CredentialProvider[0]);
    this.missing = providers.size() == 1 ? providers.get(0).missing() : NO_CREDENTIAL;
  }

  /** Returns the providers of a route that accepts bearer tokens from the named issuers. */
  public static Credentials bearer(Authenticator authenticator, List<String> issuers) {
    return new Credentials(List.of(new BearerTokenProvider(authenticator, issuers)));
  }

  /** Returns the providers in order, each in a few words. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    for (CredentialProvider p : providers) {
      sb.append(sb.length() == 0 ? "" : ", ").append(p.describe());
    }
    return sb.toString();
  }

  /** Returns the refusal of a request that presented no credential of any provider. */
  public Denial missing() {
    return missing;
  }

  /** Sets every provider's challenge on a response that presented no credential. */
  public void challenge(HeaderMap headers) {
    headers.set(WWW_AUTHENTICATE, providers[0].challenge());
    for (int i = 1; i < providers.length; i++) {
      headers.add(WWW_AUTHENTICATE, providers[i].challenge());
    }
  }

  /**
   * Asks the providers in order and hands the deciding verdict, with its exchange, to {@code done}
   * on the exchange's event loop; nothing is delivered once the exchange has been answered. With a
   * decision trace attached, the verdict and the provider that gave it are noted under {@code by}.
   */
  public void authenticate(Exchange exchange, String by, BiConsumer<Exchange, Verdict> done) {
    providers[0].authenticate(exchange, new Attempt(exchange, by, done));
  }

  /** Returns a verdict in words, for a decision trace. */
  private String explain(Verdict verdict, CredentialProvider last) {
    if (verdict instanceof Verdict.Authenticated a) {
      return last.name()
          + " authenticated "
          + a.caller().subject()
          + " (issuer "
          + a.caller().issuer()
          + ")";
    }
    if (verdict instanceof Verdict.Invalid bad) {
      return last.name() + " refused the credential: " + bad.reason();
    }
    return "no credential of " + describe();
  }

  /** One request's walk through the providers (one object serves as both callbacks). */
  private final class Attempt implements Consumer<Verdict>, Runnable {
    private final Exchange exchange;
    private final String by;
    private final BiConsumer<Exchange, Verdict> done;
    private int index;
    private Verdict verdict = Verdict.notMine();

    Attempt(Exchange exchange, String by, BiConsumer<Exchange, Verdict> done) {
      this.exchange = exchange;
      this.by = by;
      this.done = done;
    }

    @Override
    public void accept(Verdict v) {
      verdict = v;
      exchange.resume(this);
    }

    @Override
    public void run() {
      if (exchange.finishedOrResponded()) {
        return; // the client left, or a deadline answered, while a provider was busy
      }
      if (verdict instanceof Verdict.NotMine && index + 1 < providers.length) {
        index++;
        providers[index].authenticate(exchange, this);
        return;
      }
      DecisionTrace trace = exchange.trace();
      if (trace != null) {
        trace.note(by, explain(verdict, providers[index]));
      }
      done.accept(exchange, verdict);
    }
  }
}
