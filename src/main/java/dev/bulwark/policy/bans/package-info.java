/** Automatic banning of abusive clients: rules over response statuses, and the active ban list. */
@NullMarked
package dev.bulwark.policy.bans;

import org.jspecify.annotations.NullMarked;
