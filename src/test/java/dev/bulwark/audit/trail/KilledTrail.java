package dev.bulwark.audit.trail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.store.sqlite.EmbeddedKeys;
import dev.bulwark.testing.GatewayProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The sealed trail of a {@code kill -9} test: a master key and a data directory in {@code dir} that
 * each round starts a real gateway process on, and what the trail holds after the kill.
 */
record KilledTrail(Path dir, String masterText, Path masterKey, Path data, Path trail) {

  /** Writes a fresh master key in {@code dir}; the data directory is left for the gateway. */
  static KilledTrail in(Path dir) throws IOException {
    String masterText = MasterKey.generateText();
    Path masterKey = Files.writeString(dir.resolve("master.key"), masterText);
    Path data = dir.resolve("data");
    return new KilledTrail(dir, masterText, masterKey, data, data.resolve("audit.log"));
  }

  /** Starts {@code bulwark run} on the trail in its own JVM, named for its round. */
  GatewayProcess start(int round) throws Exception {
    return GatewayProcess.start(
        dir,
        """
        store:
          data-dir: %s
          master-key: ${file:%s}
        audit:
          file: %s
          checkpoint-every: 8
        routes:
          - name: api
            match: { path: /** }
            upstream: UPSTREAM
            public: true
        """
            .formatted(data, masterKey, trail),
        String.valueOf(round));
  }

  /** Returns the keyring the trail's records are sealed under, read from the data directory. */
  Keyring keyring() {
    return EmbeddedKeys.keyring(data, MasterKey.parse(masterText, "test"));
  }

  /**
   * Returns the {@code field} of every record of {@code action} in the trail; each must have it.
   */
  Set<String> recorded(Keyring keyring, String action, String field) throws IOException {
    Set<String> out = new HashSet<>();
    for (ObjectNode n :
        TrailSearch.search(
                List.of(trail),
                keyring,
                new TrailSearch.Query(
                    null, null, null, action, null, null, null, null, -1, 1_000_000),
                Long.MAX_VALUE)
            .records()) {
      JsonNode value = n.get(field);
      if (value == null) {
        throw new AssertionError(action + " record without " + field + ": " + n);
      }
      out.add(value.asText());
    }
    return out;
  }
}
