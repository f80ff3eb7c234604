package dev.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.store.AccountsUnavailable;
import dev.bulwark.store.Stores;
import dev.bulwark.store.memory.MemoryStores;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The account and organisation admin API over the in-memory store, and with no account store. */
class IdentityAdminMemoryTest extends IdentityAdminContract {
  @Override
  protected Stores open() {
    return new MemoryStores(10_000, 10);
  }

  @Test
  void aStoreThatKeepsNoAccountsAnswers503InOneLine() throws Exception {
    try (IdentityAdminListener down =
        new IdentityAdminListener(
            AccountsUnavailable.accounts(), AccountsUnavailable.organisations(), stores, null)) {
      for (String[] call :
          new String[][] {
            {"GET", "/accounts", null},
            {"GET", "/accounts/ada", null},
            {"POST", "/accounts", "{\"login\":\"ada\"}"},
            {"GET", "/organisations", null},
            {"POST", "/organisations", "{\"slug\":\"acme\"}"}
          }) {
        HttpResponse<String> r = down.send(call[0], call[1], call[2]);
        assertThat(r.statusCode()).as(call[1]).isEqualTo(503);
        assertThat(body(r).path("error").asText())
            .contains("the account store is unavailable")
            .contains("store.postgres")
            .doesNotContain("\n");
      }
    }
  }
}
