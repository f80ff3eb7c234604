/** Who a request was authenticated as, and how the gateway vouches for it to upstreams. */
@NullMarked
package dev.bulwark.identity;

import org.jspecify.annotations.NullMarked;
