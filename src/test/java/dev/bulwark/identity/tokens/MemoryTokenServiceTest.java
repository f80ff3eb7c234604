package dev.bulwark.identity.tokens;

import dev.bulwark.store.Stores;
import dev.bulwark.store.memory.MemoryStores;

/** The token contract on the embedded store without a data directory. */
class MemoryTokenServiceTest extends TokenServiceContract {
  @Override
  protected Stores open() {
    return new MemoryStores(10_000, 100);
  }
}
