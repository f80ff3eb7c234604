/**
 * Envelope encryption of durable state: every value is sealed with AES-256-GCM under a data key,
 * data keys are wrapped by a master key from a secret reference, and each sealed value is bound to
 * the identity of the record that holds it, so a value copied onto another record is refused.
 *
 * <p>Nothing durable is ever written unsealed: a store that keeps personal data or secrets on disk
 * seals each value with a {@link dev.bulwark.store.sealed.Keyring} before it is written and opens
 * it after it is read. The formats are in {@code docs/encryption-at-rest.md}.
 */
@NullMarked
package dev.bulwark.store.sealed;

import org.jspecify.annotations.NullMarked;
