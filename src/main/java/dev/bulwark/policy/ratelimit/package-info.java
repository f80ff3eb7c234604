/** Token-bucket rate limits keyed by client address, subject, route or header (stages 2 and 5). */
@NullMarked
package dev.bulwark.policy.ratelimit;

import org.jspecify.annotations.NullMarked;
