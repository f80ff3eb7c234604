/** The policy contract, the fixed stage order and chain assembly. */
@NullMarked
package dev.bulwark.policy;

import org.jspecify.annotations.NullMarked;
