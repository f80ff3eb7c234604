package dev.bulwark.config;

/**
 * A setting that bounds the ban list the gateway's store holds, known before the store is opened;
 * lets the server size the store without naming the section that sets it.
 */
public interface BanCapacity {
  /** The bound when no section sets one. */
  int DEFAULT_MAX_BANS = 100_000;

  /** Returns how many bans the store holds at most. */
  int maxBans();
}
