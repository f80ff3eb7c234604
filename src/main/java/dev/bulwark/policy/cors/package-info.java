/** The CORS allow-list: preflights answered at the edge, exact origins only, never reflected. */
@NullMarked
package dev.bulwark.policy.cors;

import org.jspecify.annotations.NullMarked;
