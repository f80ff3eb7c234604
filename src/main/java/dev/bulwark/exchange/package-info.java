/** The per-request exchange: request id, client address, route, decisions and response head. */
@NullMarked
package dev.bulwark.exchange;

import org.jspecify.annotations.NullMarked;
