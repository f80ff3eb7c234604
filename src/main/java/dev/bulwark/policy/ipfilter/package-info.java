/** IP allow and deny lists, checked first on every request. */
@NullMarked
package dev.bulwark.policy.ipfilter;

import org.jspecify.annotations.NullMarked;
