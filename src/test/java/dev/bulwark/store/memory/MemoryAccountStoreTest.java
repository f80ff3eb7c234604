package dev.bulwark.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.store.AccountStoreContract;
import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.Stores;
import org.junit.jupiter.api.Test;

/** The account store contract in memory, and its bound. */
class MemoryAccountStoreTest extends AccountStoreContract {
  @Override
  protected Stores open() {
    return new MemoryStores(1_000, 10);
  }

  @Test
  void beyondItsBoundACreationFailsInsteadOfGrowingTheHeap() throws Exception {
    MemoryStores small = new MemoryStores(3, 10);
    for (int i = 0; i < 3; i++) {
      assertThat(await(small.accounts().create(newAccount("user" + i)))).isPresent();
    }
    assertThat(failure(small.accounts().create(newAccount("one-more"))))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageContaining("full");
    for (int i = 0; i < 3; i++) {
      assertThat(await(small.organisations().create("org" + i, "Org"))).isPresent();
    }
    assertThat(failure(small.organisations().create("org3", "Org")))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageContaining("full");
  }
}
