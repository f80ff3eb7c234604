package dev.bulwark.identity.password;

import static java.util.Objects.requireNonNull;

import dev.bulwark.blocking.BlockingExecutor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.concurrent.CompletionStage;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.jspecify.annotations.Nullable;

/**
 * Hashes and verifies passwords with Argon2id at a configured cost, in the PHC string format.
 * Passwords are NFKC-normalised and UTF-8 encoded first, so that the same text typed on another
 * keyboard matches. Verification of an unknown user ({@code encoded} null) runs the same work
 * against a dummy hash made at the current cost, so that it takes as long as a known user's. A
 * password longer than {@link #MAX_CHARS} is never hashed (megabytes of input must not buy the
 * sender CPU time): hashing refuses it, and verifying it checks an empty password against the dummy
 * instead, so that it costs the same as any wrong password.
 *
 * <p>The synchronous methods take tens of milliseconds of CPU and memory of {@link
 * Argon2Cost#memoryKib()}: call them from the CLI or a blocking thread; request paths use the
 * {@code Async} forms, which run on the bounded {@link BlockingExecutor} and fail with {@link
 * BlockingExecutor.Refused} when its queue is full (the caller answers {@code 503}). Thread-safe.
 */
public final class PasswordHasher {
  /** The longest password (in UTF-16 code units, before normalisation) ever hashed. */
  public static final int MAX_CHARS = 1024;

  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;

  private final Argon2Cost cost;
  private final SecureRandom random;
  private final PhcString dummy;

  /** A hasher that hashes at {@code cost} (the dummy hash is made now, once). */
  public PasswordHasher(Argon2Cost cost) {
    this(cost, new SecureRandom());
  }

  PasswordHasher(Argon2Cost cost, SecureRandom random) {
    this.cost = requireNonNull(cost, "cost");
    this.random = requireNonNull(random, "random");
    byte[] throwaway = new byte[32];
    random.nextBytes(throwaway);
    this.dummy = make(throwaway);
  }

  /** Returns the cost new hashes are made with. */
  public Argon2Cost cost() {
    return cost;
  }

  /**
   * Returns the PHC string of {@code password} with a fresh salt.
   *
   * @throws IllegalArgumentException when the password is longer than {@link #MAX_CHARS} (the
   *     policy refuses such a password first, with a reason a user can read)
   */
  public String hash(String password) {
    requireNonNull(password, "password");
    if (password.length() > MAX_CHARS) {
      throw new IllegalArgumentException(
          "password: " + password.length() + " characters (expected: at most " + MAX_CHARS + ")");
    }
    return make(bytes(password)).encode();
  }

  /**
   * Checks {@code password} against {@code encoded}, or against the dummy hash when {@code encoded}
   * is null (an unknown user) or not a valid Argon2id hash; compares in constant time.
   */
  public PasswordVerification verify(@Nullable String encoded, String password) {
    requireNonNull(password, "password");
    PhcString stored = encoded == null ? null : PhcString.parse(encoded);
    PhcString against = stored == null ? dummy : stored;
    byte[] input = password.length() <= MAX_CHARS ? bytes(password) : new byte[0];
    byte[] computed = compute(input, against.salt(), against.cost(), against.hash().length);
    boolean equal = MessageDigest.isEqual(computed, against.hash());
    if (stored == null || password.length() > MAX_CHARS || !equal) {
      return PasswordVerification.NO_MATCH;
    }
    return new PasswordVerification(true, needsRehash(stored));
  }

  /**
   * Returns whether {@code encoded} was made with other settings than the current ones (cost,
   * version, salt or hash length), or cannot be read: the next successful login should store a new
   * hash.
   */
  public boolean needsRehash(String encoded) {
    return needsRehash(PhcString.parse(requireNonNull(encoded, "encoded")));
  }

  private boolean needsRehash(@Nullable PhcString stored) {
    return stored == null
        || !stored.cost().equals(cost)
        || stored.salt().length != SALT_BYTES
        || stored.hash().length != HASH_BYTES;
  }

  /** Like {@link #hash}, on the blocking executor. */
  public CompletionStage<String> hashAsync(BlockingExecutor executor, String password) {
    requireNonNull(password, "password");
    return executor.submit(() -> hash(password));
  }

  /** Like {@link #verify}, on the blocking executor. */
  public CompletionStage<PasswordVerification> verifyAsync(
      BlockingExecutor executor, @Nullable String encoded, String password) {
    requireNonNull(password, "password");
    return executor.submit(() -> verify(encoded, password));
  }

  /** Returns the UTF-8 bytes of the NFKC form of {@code password}. */
  static byte[] bytes(String password) {
    return Normalizer.normalize(password, Normalizer.Form.NFKC).getBytes(StandardCharsets.UTF_8);
  }

  private PhcString make(byte[] input) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    return new PhcString(cost, salt, compute(input, salt, cost, HASH_BYTES));
  }

  private static byte[] compute(byte[] input, byte[] salt, Argon2Cost cost, int length) {
    Argon2Parameters parameters =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(cost.memoryKib())
            .withIterations(cost.iterations())
            .withParallelism(cost.parallelism())
            .withSalt(salt)
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(parameters);
    byte[] out = new byte[length];
    generator.generateBytes(input, out);
    return out;
  }
}
