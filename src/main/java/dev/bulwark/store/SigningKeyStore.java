package dev.bulwark.store;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The keys the gateway signs its own tokens with. The embedded store keeps them in memory, and with
 * a data directory sealed in its file (so a restart signs and verifies with the same keys). The
 * cluster store shares only public keys (a private key never leaves the process that made it):
 * every gateway verifies the tokens of every other, and each signs with its own.
 */
public interface SigningKeyStore {
  /**
   * Returns the keys still published, from the local copy: this process's own (with their private
   * part) and, in a cluster, the other gateways' public keys. Never does I/O.
   */
  List<SigningKeyRecord> keys();

  /** Keeps a new key (sealed when durable; its public part shared in a cluster). */
  CompletionStage<Void> add(SigningKeyRecord key);

  /**
   * Reads the shared keys again (a cluster store; the embedded store completes at once); completes
   * with whether the local copy changed.
   */
  CompletionStage<Boolean> refresh();
}
