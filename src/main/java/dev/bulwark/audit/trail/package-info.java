/**
 * The durable audit trail: security events appended to a file as a hash chain of sealed records,
 * with signed checkpoints, written by one thread off the event loop, and its verifier.
 */
@NullMarked
package dev.bulwark.audit.trail;

import org.jspecify.annotations.NullMarked;
