/**
 * Which route a request belongs to: path normalisation, host canonicalisation, path patterns and
 * the route table, built so that a request cannot reach a broader route by spelling its path or
 * host differently from a narrower one.
 */
@NullMarked
package dev.bulwark.routing;

import org.jspecify.annotations.NullMarked;
