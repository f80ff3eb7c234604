package dev.bulwark.audit;

import java.util.concurrent.CompletableFuture;

/**
 * A sink that can say when an event is safely stored: {@link #acceptDurably} completes once the
 * event's record is on disk, and fails when it was dropped or could not be written.
 */
public interface DurableSink extends SecurityEventSink {
  /** Takes one event and returns when it is stored. */
  CompletableFuture<Void> acceptDurably(SecurityEvent event);
}
