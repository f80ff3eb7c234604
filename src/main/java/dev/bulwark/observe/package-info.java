/** Access log, security event log and metrics. */
@NullMarked
package dev.bulwark.observe;

import org.jspecify.annotations.NullMarked;
