/**
 * The stage pipeline: drives an exchange through its route's policies (proceed, deny, answer,
 * resume, with a decision trace), writes the response, and ends the exchange (metrics, access log);
 * runs live behind the server's request gate, or offline without a listener or an upstream.
 */
@NullMarked
package dev.bulwark.pipeline;

import org.jspecify.annotations.NullMarked;
