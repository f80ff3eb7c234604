/**
 * The policy contract, the fixed stage order, chain assembly, and the catalog through which the
 * core reads, compiles and describes every feature without naming one.
 */
@NullMarked
package dev.bulwark.policy;

import org.jspecify.annotations.NullMarked;
