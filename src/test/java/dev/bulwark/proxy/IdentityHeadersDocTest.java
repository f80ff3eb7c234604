package dev.bulwark.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** docs/authentication.md names every identity header the gateway strips, so the docs stay true. */
class IdentityHeadersDocTest {
  @Test
  void theAuthenticationPageListsEveryStrippedNameAndPrefix() throws Exception {
    String page = Files.readString(Path.of("docs/authentication.md")).toLowerCase(Locale.ROOT);
    for (String name : IdentityHeaders.NAMES) {
      assertThat(page).as(name).contains("`" + name + "`");
    }
    for (String prefix : IdentityHeaders.PREFIXES) {
      assertThat(page).as(prefix).contains("`" + prefix);
    }
  }
}
