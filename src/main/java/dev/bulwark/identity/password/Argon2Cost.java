package dev.bulwark.identity.password;

/**
 * The cost of one Argon2id hash: memory in KiB, passes over it, and lanes. {@link #OWASP} is the
 * default (OWASP's password storage cheat sheet: 19 MiB, 2 passes, 1 lane); a configuration may
 * raise it, and may trade memory for passes only along OWASP's table ({@link #atLeastOwasp}).
 *
 * @param memoryKib memory in KiB (Argon2's {@code m})
 * @param iterations passes over the memory (Argon2's {@code t})
 * @param parallelism lanes (Argon2's {@code p})
 */
public record Argon2Cost(int memoryKib, int iterations, int parallelism) {
  /** OWASP's first recommendation: m=19 MiB, t=2, p=1. */
  public static final Argon2Cost OWASP = new Argon2Cost(19 * 1024, 2, 1);

  /** The most memory a hash may ask for (1 GiB): a stored hash cannot make verification explode. */
  public static final int MAX_MEMORY_KIB = 1024 * 1024;

  /** The most passes a hash may ask for. */
  public static final int MAX_ITERATIONS = 64;

  /** The most lanes a hash may ask for. */
  public static final int MAX_PARALLELISM = 16;

  public Argon2Cost {
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      throw new IllegalArgumentException(
          "parallelism: " + parallelism + " (expected: 1.." + MAX_PARALLELISM + ")");
    }
    if (iterations < 1 || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException(
          "iterations: " + iterations + " (expected: 1.." + MAX_ITERATIONS + ")");
    }
    // Argon2 needs at least 8 KiB per lane.
    if (memoryKib < 8 * parallelism || memoryKib > MAX_MEMORY_KIB) {
      throw new IllegalArgumentException(
          "memory: "
              + memoryKib
              + " KiB (expected: "
              + 8 * parallelism
              + ".."
              + MAX_MEMORY_KIB
              + ")");
    }
  }

  /**
   * Returns whether the cost is at least one row of OWASP's table (46 MiB×1, 19×2, 12×3, 9×4, 7×5):
   * at least 7 MiB, and memory in MiB times passes at least 35.
   */
  public boolean atLeastOwasp() {
    return memoryKib >= 7 * 1024 && (long) memoryKib * iterations >= 35L * 1024;
  }
}
