/**
 * Second factors: TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, a configured skew, each
 * code accepted once), its enrolment ({@code otpauth://} URI and QR code), and single-use recovery
 * codes stored hashed. Policy-free values and functions: the caller stores the secret, the last
 * accepted step and the recovery hashes with the account.
 */
@NullMarked
package dev.bulwark.identity.totp;

import org.jspecify.annotations.NullMarked;
