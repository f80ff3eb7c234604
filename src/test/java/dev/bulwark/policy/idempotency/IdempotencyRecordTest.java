package dev.bulwark.policy.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The records kept in the store decode to what was encoded, and nothing else decodes. */
class IdempotencyRecordTest {
  @Test
  void bothKindsOfRecordRoundTrip() {
    var f = new IdempotencyRecord.InFlight("ab".repeat(32), "0011");
    assertThat(IdempotencyRecord.decode(f.encode())).isEqualTo(f);
    var d =
        new IdempotencyRecord.Completed(
            "cd".repeat(32),
            201,
            List.<String[]>of(new String[] {"location", "/x/1"}),
            "{}".getBytes(StandardCharsets.UTF_8),
            false);
    IdempotencyRecord back = IdempotencyRecord.decode(d.encode());
    assertThat(back).isInstanceOf(IdempotencyRecord.Completed.class);
    var c = (IdempotencyRecord.Completed) java.util.Objects.requireNonNull(back);
    assertThat(c.status()).isEqualTo(201);
    assertThat(c.headers().get(0)).containsExactly("location", "/x/1");
    assertThat(c.body()).isEqualTo("{}".getBytes(StandardCharsets.UTF_8));
    assertThat(c.fingerprint()).isEqualTo("cd".repeat(32));
  }

  @Test
  void garbageAndTruncatedRecordsDoNotDecode() {
    assertThat(IdempotencyRecord.decode(new byte[0])).isNull();
    assertThat(IdempotencyRecord.decode("hello world".getBytes(StandardCharsets.UTF_8))).isNull();
    byte[] whole =
        new IdempotencyRecord.Completed("ef".repeat(32), 200, List.of(), new byte[100], false)
            .encode();
    assertThat(IdempotencyRecord.decode(java.util.Arrays.copyOf(whole, whole.length - 1))).isNull();
  }
}
