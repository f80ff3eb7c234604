/**
 * Positive validation of requests (and optionally responses) against a route's OpenAPI 3.0/3.1
 * contract, with JSON safety limits and linear-time (RE2J) patterns.
 */
@NullMarked
package dev.bulwark.policy.contract;

import org.jspecify.annotations.NullMarked;
