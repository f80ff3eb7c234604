package dev.bulwark.policy;

import dev.bulwark.exchange.Denial;

/**
 * How a {@link ClientCheck} refuses a client: the denial it answers with (and, when not negative,
 * the seconds for {@code Retry-After}), or the connection closed without an answer ({@code drop}).
 *
 * @param by the name of the policy that refused, for the log and metrics
 */
public record Refusal(String by, Denial denial, long retryAfterSeconds, boolean drop) {}
