package dev.bulwark.store.memory;

import dev.bulwark.store.ConnectionCounts;
import java.util.Map;
import java.util.function.Supplier;

/** The connection counts of an embedded store: there is no other process, so none are remote. */
final class MemoryConnectionCounts implements ConnectionCounts {
  @Override
  public int remote(String client) {
    return 0;
  }

  @Override
  public int remoteTotal() {
    return 0;
  }

  @Override
  public void source(Supplier<Map<String, Integer>> local) {}
}
