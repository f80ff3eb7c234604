/**
 * Passwords: Argon2id hashing in the PHC string format (with the cost upgraded on the next login
 * and a dummy hash so that unknown users cost the same), and the password policy (length, the login
 * name, common and breached passwords, an optional k-anonymity range lookup). Policy-free services:
 * the login endpoints and the CLI call them; hashing runs on the bounded blocking executor.
 */
@NullMarked
package dev.bulwark.identity.password;

import org.jspecify.annotations.NullMarked;
