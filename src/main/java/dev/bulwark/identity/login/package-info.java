/**
 * Login names and the login throttle: names normalised and bounded before any lookup, with
 * confusable names kept apart; and a throttle that targets the attacker rather than the account
 * (counters per address and login name, progressive delays instead of lockout, detection of
 * credential stuffing), counting through the store's strike counters so that a cluster shares them.
 */
@NullMarked
package dev.bulwark.identity.login;

import org.jspecify.annotations.NullMarked;
