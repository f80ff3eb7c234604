/**
 * The store SPI: shared state behind small capability interfaces (rate limits, bans, connection
 * counts), each with an embedded implementation ({@code memory/}: this process, bounded) and a
 * cluster one ({@code redis/}: shared by every gateway pointed at it), chosen in one place, {@link
 * dev.bulwark.store.Stores#open}.
 *
 * <p>One async convention for every capability: an operation that may wait on I/O returns a {@link
 * java.util.concurrent.CompletionStage}. It never throws and never blocks; the embedded store
 * completes it before returning, a cluster store on the thread its answer arrives on (an event loop
 * or a store thread), so a caller that must go on on its own event loop hops back itself ({@code
 * Exchange.resume}). A failure (unreachable, timed out, a bound reached) completes it exceptionally
 * and is counted in {@link dev.bulwark.store.StoreHealth}; what a failure means is the caller's
 * decision (a policy's {@code on-store-failure}). Reads answered from a local copy (the active
 * bans, other processes' connection counts) are plain methods that never do I/O.
 *
 * <p>A store never reads a policy's configuration or defaults: every bound, duration and lifetime
 * is passed in by the caller.
 */
@NullMarked
package dev.bulwark.store;

import org.jspecify.annotations.NullMarked;
