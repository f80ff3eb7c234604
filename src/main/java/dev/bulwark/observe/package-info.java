/** Access log, the security events' log line, and metrics. */
@NullMarked
package dev.bulwark.observe;

import org.jspecify.annotations.NullMarked;
