/** The per-request exchange: request id, client address, normalised path and route table. */
@NullMarked
package dev.bulwark.exchange;

import org.jspecify.annotations.NullMarked;
