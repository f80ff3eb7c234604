package dev.bulwark.store;

import static java.util.Objects.requireNonNull;

import dev.bulwark.secret.TransitKey;
import dev.bulwark.secret.VaultException;
import dev.bulwark.secret.VaultSession;
import dev.bulwark.store.sealed.KeyService;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.store.sealed.SealRefused;
import java.nio.charset.StandardCharsets;

/**
 * A master key that Vault's transit engine holds: data keys are wrapped and unwrapped by Vault
 * ({@code vault:v<version>:..} ciphertexts stored as they come), so the key never leaves Vault.
 */
final class VaultTransitKey implements KeyService {
  private final VaultSession session;
  private final TransitKey key;

  private VaultTransitKey(VaultSession session, TransitKey key) {
    this.session = requireNonNull(session, "session");
    this.key = requireNonNull(key, "key");
  }

  /** Returns the master key that {@code key} in the transit engine of {@code session} holds. */
  static MasterKey of(VaultSession session, TransitKey key) {
    return MasterKey.held(new VaultTransitKey(session, key));
  }

  @Override
  public String id() {
    return "vault-transit:" + key;
  }

  @Override
  public String reference() {
    return "vault-transit " + key;
  }

  @Override
  public byte[] wrap(byte[] plain) {
    try {
      return session.encrypt(key, plain).getBytes(StandardCharsets.US_ASCII);
    } catch (VaultException e) {
      throw refused(e, "encrypt");
    }
  }

  @Override
  public byte[] unwrap(byte[] wrapped) {
    try {
      return session.decrypt(key, new String(wrapped, StandardCharsets.US_ASCII));
    } catch (VaultException e) {
      throw refused(e, "decrypt");
    }
  }

  @Override
  public byte[] rewrap(byte[] wrapped) {
    try {
      return session
          .rewrap(key, new String(wrapped, StandardCharsets.US_ASCII))
          .getBytes(StandardCharsets.US_ASCII);
    } catch (VaultException e) {
      throw refused(e, "rewrap");
    }
  }

  private SealRefused refused(VaultException e, String operation) {
    String what =
        switch (e.reason()) {
          case UNAVAILABLE -> "; check that Vault runs and is reachable at vault.address";
          case DENIED ->
              "; check vault.auth, that the token's policy allows update on "
                  + key.mount()
                  + "/"
                  + operation
                  + "/"
                  + key.name()
                  + ", and that this ciphertext was made by this key";
          case BAD_SECRET ->
              "; check that the transit key "
                  + key.name()
                  + " exists in the "
                  + key.mount()
                  + " mount and wrapped this data";
          case UNTRUSTED -> "";
        };
    return new SealRefused("store.master-key: " + e.getMessage() + what);
  }

  @Override
  public String toString() {
    return reference();
  }
}
