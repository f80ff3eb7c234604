package dev.bulwark.store.sealed;

/**
 * A master key held by a key service (Vault's transit engine) that wraps and unwraps data keys
 * itself, so the key never reaches this process. Every call blocks on the network: made at start
 * and by {@code bulwark keys}, never on an event loop.
 */
public interface KeyService {
  /** Returns the id stored beside what it wraps, such as {@code vault-transit:transit/bulwark}. */
  String id();

  /** Returns how messages name the key, such as {@code vault-transit transit/bulwark}. */
  String reference();

  /**
   * Wraps {@code plain} under the key's latest version.
   *
   * @throws SealRefused with one line saying what failed and what to do
   */
  byte[] wrap(byte[] plain);

  /**
   * Unwraps what {@link #wrap} returned, under whichever version of the key wrapped it.
   *
   * @throws SealRefused with one line saying what failed and what to do
   */
  byte[] unwrap(byte[] wrapped);

  /**
   * Wraps again under the key's latest version what an older version wrapped, without the plain
   * bytes leaving the service.
   *
   * @throws SealRefused with one line saying what failed and what to do
   */
  byte[] rewrap(byte[] wrapped);
}
