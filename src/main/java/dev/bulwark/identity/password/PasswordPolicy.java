package dev.bulwark.identity.password;

import static java.util.Objects.requireNonNull;

import com.nulabinc.zxcvbn.Zxcvbn;
import dev.bulwark.blocking.BlockingExecutor;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a new password may be set, with reasons a user can read (none echoes the
 * password). Checked in this order, the cheap ones first: at most {@code max-length} characters
 * (longer text is refused before any other work, and never hashed); no control characters and no
 * broken UTF-16; after NFKC at least {@code min-length} code points; not the login name or close to
 * it ({@link LoginSimilarity}); not on the operator's breached list ({@link BreachedPasswords}); a
 * zxcvbn score of at least {@code min-score}, which also refuses what zxcvbn's frequency lists of
 * common passwords, names and words, keyboard patterns, sequences and dates make easy to guess; and
 * last, when configured, not in the range lookup's corpus ({@link PwnedRange}), which is asked only
 * about a password that passed every local check. Thread-safe.
 */
public final class PasswordPolicy {
  /** How much of a password zxcvbn measures (its matching grows faster than linearly). */
  static final int ZXCVBN_MAX_CHARS = 100;

  static final String TOO_SHORT = "Use at least %d characters.";
  static final String TOO_LONG = "Use at most %d characters.";
  static final String CONTROL = "Passwords cannot contain control characters.";
  static final String BROKEN = "Passwords cannot contain broken Unicode text.";
  static final String LOGIN = "The password cannot be your login name or close to it.";
  static final String BREACHED =
      "This password has appeared in a data breach, so attackers try it first; choose another.";
  static final String GUESSABLE =
      "This password is too common or too easy to guess; add more words or characters.";
  static final String CHECK_UNAVAILABLE =
      "The breached-password check is unavailable right now; try again in a minute.";

  private final PasswordSettings settings;
  private final BreachedPasswords breached;
  private final @Nullable PwnedRange range;
  private final Zxcvbn zxcvbn = new Zxcvbn();

  /** A policy of the given settings, breached list and range client (null when off). */
  public PasswordPolicy(
      PasswordSettings settings, BreachedPasswords breached, @Nullable PwnedRange range) {
    this.settings = requireNonNull(settings, "settings");
    this.breached = requireNonNull(breached, "breached");
    this.range = range;
  }

  /**
   * A policy of the given settings: loads {@code breached-file} when set, and makes a range client
   * when {@code pwned-range.url} is set (start-up only: reading the file blocks).
   */
  public static PasswordPolicy of(PasswordSettings settings) {
    java.nio.file.Path file = settings.breachedFile();
    BreachedPasswords list =
        file == null
            ? BreachedPasswords.NONE
            : BreachedPasswords.load(file, BreachedPasswords.DEFAULT_FPP);
    java.net.URI url = settings.pwnedRange().url();
    PwnedRange r = url == null ? null : new PwnedRange(url, settings.pwnedRange().timeout());
    return new PasswordPolicy(settings, list, r);
  }

  /** Returns the settings. */
  public PasswordSettings settings() {
    return settings;
  }

  /**
   * Applies every local check (no network) to a new password for the account {@code login}; takes
   * up to a few milliseconds of CPU (zxcvbn).
   */
  public PasswordVerdict checkLocally(String password, String login) {
    requireNonNull(password, "password");
    requireNonNull(login, "login");
    List<String> reasons = new ArrayList<>();
    if (password.length() > PasswordHasher.MAX_CHARS) {
      return refused(String.format(TOO_LONG, settings.maxLength()));
    }
    String text = Normalizer.normalize(password, Normalizer.Form.NFKC);
    int length = text.codePointCount(0, text.length());
    if (length > settings.maxLength()) {
      return refused(String.format(TOO_LONG, settings.maxLength()));
    }
    String form = characters(password);
    if (form != null) {
      return refused(form);
    }
    if (length < settings.minLength()) {
      reasons.add(String.format(TOO_SHORT, settings.minLength()));
    }
    if (!login.isBlank() && LoginSimilarity.close(text, login)) {
      reasons.add(LOGIN);
    }
    if (breached.contains(text)) {
      reasons.add(BREACHED);
    }
    if (reasons.isEmpty() && score(text, login) < settings.minScore()) {
      reasons.add(GUESSABLE);
    }
    return new PasswordVerdict(reasons, List.of());
  }

  /**
   * Applies the local checks on the blocking executor, then, when they pass and a range lookup is
   * configured, the lookup; a failed lookup accepts the password with a note, or refuses it, as
   * {@code pwned-range.on-failure} says. Fails with {@link BlockingExecutor.Refused} when the
   * executor's queue is full.
   */
  public CompletionStage<PasswordVerdict> check(
      BlockingExecutor executor, String password, String login) {
    requireNonNull(password, "password");
    requireNonNull(login, "login");
    return executor
        .submit(() -> checkLocally(password, login))
        .thenCompose(local -> local.accepted() ? lookUp(local, password) : done(local));
  }

  private CompletionStage<PasswordVerdict> lookUp(PasswordVerdict local, String password) {
    PwnedRange r = range;
    if (r == null) {
      return done(local);
    }
    return r.lookup(password)
        .thenApply(
            answer ->
                switch (answer.outcome()) {
                  case BREACHED -> local.refusedAlso(BREACHED);
                  case NOT_FOUND -> local;
                  case UNAVAILABLE -> {
                    String note =
                        "breached-password lookup failed ("
                            + answer.problem()
                            + "); on-failure: "
                            + settings
                                .pwnedRange()
                                .onFailure()
                                .name()
                                .toLowerCase(java.util.Locale.ROOT);
                    PasswordVerdict noted = local.noting(note);
                    yield settings.pwnedRange().onFailure() == PwnedRangeSettings.OnFailure.REFUSE
                        ? noted.refusedAlso(CHECK_UNAVAILABLE)
                        : noted;
                  }
                });
  }

  private static CompletionStage<PasswordVerdict> done(PasswordVerdict v) {
    return CompletableFuture.completedFuture(v);
  }

  private int score(String text, String login) {
    String measured =
        text.length() <= ZXCVBN_MAX_CHARS
            ? text
            : text.substring(0, text.offsetByCodePoints(0, ZXCVBN_MAX_CHARS));
    List<String> inputs = new ArrayList<>(LoginSimilarity.names(login));
    inputs.removeIf(String::isEmpty);
    return zxcvbn.measure(measured, inputs).getScore();
  }

  /** Returns why the text's characters are refused, or null: controls, lone surrogates. */
  private static @Nullable String characters(String password) {
    for (int i = 0; i < password.length(); ) {
      int cp = password.codePointAt(i);
      if (Character.isSurrogate((char) cp) && Character.charCount(cp) == 1) {
        return BROKEN;
      }
      if (Character.getType(cp) == Character.CONTROL) {
        return CONTROL;
      }
      i += Character.charCount(cp);
    }
    return null;
  }

  private static PasswordVerdict refused(String reason) {
    return new PasswordVerdict(List.of(reason), List.of());
  }
}
