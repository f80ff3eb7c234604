/** Forwarding to upstreams: pooled clients, header hygiene, timeouts. */
@NullMarked
package dev.bulwark.proxy;

import org.jspecify.annotations.NullMarked;
