/** Security response headers and upstream banner removal. */
@NullMarked
package dev.bulwark.policy.headers;

import org.jspecify.annotations.NullMarked;
