package dev.bulwark.store;

import java.util.Map;

/**
 * The connections other gateway processes hold, so that connection caps are shared in cluster mode.
 * Each process publishes its own counts about once a second and reads everyone else's; the view is
 * at most a couple of seconds old, and a process that stops publishing drops out of it.
 */
public interface ConnectionCounts {
  /** The embedded store: no other process. */
  ConnectionCounts NONE =
      new ConnectionCounts() {
        @Override
        public int remote(String client) {
          return 0;
        }

        @Override
        public int remoteTotal() {
          return 0;
        }

        @Override
        public void source(java.util.function.Supplier<Map<String, Integer>> local) {}
      };

  /** Returns the connections other processes hold for a client address, as last seen. */
  int remote(String client);

  /** Returns the connections other processes hold in all, as last seen. */
  int remoteTotal();

  /** Sets where this process's per-client counts come from (read at each publication). */
  void source(java.util.function.Supplier<Map<String, Integer>> local);
}
