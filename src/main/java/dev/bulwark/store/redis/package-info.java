/** The cluster store: state shared through Redis by every gateway process pointed at it. */
@NullMarked
package dev.bulwark.store.redis;

import org.jspecify.annotations.NullMarked;
