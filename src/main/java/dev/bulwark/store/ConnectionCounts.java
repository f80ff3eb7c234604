package dev.bulwark.store;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The connections other gateway processes hold, so that connection caps are shared in cluster mode.
 * Each process publishes its own counts about once a second and reads everyone else's; the view is
 * at most a couple of seconds old, and a process that stops publishing drops out of it. Reads come
 * from the last view and never do I/O.
 */
public interface ConnectionCounts {
  /** Returns the connections other processes hold for a client address, as last seen. */
  int remote(String client);

  /** Returns the connections other processes hold in all, as last seen. */
  int remoteTotal();

  /** Sets where this process's per-client counts come from (read at each publication). */
  void source(Supplier<Map<String, Integer>> local);
}
