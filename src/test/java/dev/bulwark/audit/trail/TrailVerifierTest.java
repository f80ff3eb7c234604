package dev.bulwark.audit.trail;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrailVerifierTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  @SuppressWarnings("NullAway.Init")
  private Path file;

  @SuppressWarnings("NullAway.Init")
  private CheckpointKey key;

  /** A closed trail of 20 events, a checkpoint every 5: start, then 5 events + 1 checkpoint x4. */
  @BeforeEach
  void write() throws Exception {
    file = dir.resolve("audit.log");
    key = CheckpointKey.generate();
    try (AuditTrail t =
        AuditTrail.open(
            new AuditTrail.Settings(file, 5, Duration.ofHours(1), 100),
            TestKeyring.fresh(),
            key,
            new SimpleMeterRegistry())) {
      for (int i = 0; i < 20; i++) {
        t.acceptDurably(refused("r" + i)).get();
      }
    }
  }

  static SecurityEvent refused(String requestId) {
    return SecurityEvent.credentialRefused(
        SecurityEventKind.TOKEN_INVALID, requestId, "192.0.2.1", "api", "bad signature");
  }

  private static TrailLine parsed(String line) {
    return java.util.Objects.requireNonNull(TrailLine.parse(line), line);
  }

  private static String trailOf(List<String> lines) {
    return java.util.Objects.requireNonNull(parsed(lines.get(0)).value("trail"));
  }

  private List<String> lines() throws Exception {
    return new ArrayList<>(Files.readAllLines(file, StandardCharsets.US_ASCII));
  }

  private void rewrite(List<String> lines) throws Exception {
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.US_ASCII);
  }

  private TrailVerifier.Report verify() throws Exception {
    return TrailVerifier.verify(file, key.publicText());
  }

  @Test
  void anIntactTrailVerifiesWithEveryCheckpoint() throws Exception {
    TrailVerifier.Report r = verify();
    assertThat(r.findings()).isEmpty();
    assertThat(r.records()).isEqualTo(25);
    assertThat(r.checkpoints()).isEqualTo(4);
    assertThat(r.lastCheckpointSeq()).isEqualTo(24);
    assertThat(TrailVerifier.verify(file, null).intact()).isTrue();
  }

  @Test
  void oneByteEditedInASealedBodyIsNamed() throws Exception {
    List<String> l = lines();
    String line = l.get(3);
    int at = line.indexOf("\"body\":\"") + 20;
    char c = line.charAt(at);
    l.set(3, line.substring(0, at) + (c == 'A' ? 'B' : 'A') + line.substring(at + 1));
    rewrite(l);
    assertThat(verify().findings())
        .containsExactly("line 4 (seq 3): altered (its hash does not match its content)");
  }

  @Test
  void anEditWithARecomputedHashBreaksTheNextLink() throws Exception {
    List<String> l = lines();
    TrailLine orig = parsed(l.get(3));
    String body = Base64.getEncoder().encodeToString(new byte[40]);
    TrailLine forged =
        TrailLine.make(
            orig.seq(), orig.time(), "event", TrailLine.field("body", body), orig.prev());
    l.set(3, forged.text());
    rewrite(l);
    assertThat(verify().findings())
        .containsExactly(
            "line 5 (seq 4): does not follow the record before it (inserted, reordered or"
                + " replaced)");
  }

  @Test
  void aDeletedRecordIsNamed() throws Exception {
    List<String> l = lines();
    l.remove(7);
    rewrite(l);
    assertThat(verify().findings())
        .containsExactly("line 8 (seq 8): records 7 are missing here (removed, or moved later)");
  }

  @Test
  void anInsertedRecordIsNamed() throws Exception {
    List<String> l = lines();
    TrailLine before = parsed(l.get(9));
    String body = Base64.getEncoder().encodeToString(new byte[40]);
    TrailLine inserted =
        TrailLine.make(
            before.seq() + 1, before.time(), "event", TrailLine.field("body", body), before.hash());
    l.add(10, inserted.text());
    rewrite(l);
    assertThat(verify().findings())
        .containsExactly(
            "line 12 (seq 10): out of order (seq 11 expected; inserted, reordered or replayed)");
  }

  @Test
  void twoRecordsSwappedAreBothNamed() throws Exception {
    List<String> l = lines();
    String a = l.get(2);
    l.set(2, l.get(3));
    l.set(3, a);
    rewrite(l);
    assertThat(verify().findings())
        .containsExactly(
            "line 3 (seq 3): records 2 are missing here (removed, or moved later)",
            "line 4 (seq 2): out of order (seq 4 expected; inserted, reordered or replayed)");
  }

  @Test
  void aTruncatedTailIsNamed() throws Exception {
    byte[] all = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(all, all.length - 30));
    assertThat(verify().findings())
        .containsExactly("line 25: truncated tail (the last record is incomplete)");
  }

  @Test
  void aForgedCheckpointIsNamedEvenWithItsHashRecomputed() throws Exception {
    List<String> l = lines();
    TrailLine cp = parsed(l.get(6));
    assertThat(cp.type()).isEqualTo("checkpoint");
    CheckpointKey other = CheckpointKey.generate();
    String trail = trailOf(l);
    TrailLine forged =
        TrailLine.make(
            cp.seq(),
            cp.time(),
            "checkpoint",
            TrailLine.field("sig", other.sign(trail, cp.seq(), cp.prev())),
            cp.prev());
    l.set(6, forged.text());
    rewrite(l);
    assertThat(verify().findings())
        .containsExactly(
            "line 7 (seq 6): forged checkpoint (its signature does not verify under the trail's"
                + " key)",
            "line 8 (seq 7): does not follow the record before it (inserted, reordered or"
                + " replaced)");
  }

  @Test
  void aWholeTrailReSignedWithAnotherKeyFailsAgainstThePinnedKey() throws Exception {
    CheckpointKey other = CheckpointKey.generate();
    List<String> l = lines();
    List<String> out = new ArrayList<>();
    String prev = TrailLine.GENESIS;
    String trail = trailOf(l);
    for (String s : l) {
      TrailLine r = parsed(s);
      String fields =
          switch (r.type()) {
            case "start" ->
                TrailLine.field("trail", trail) + "," + TrailLine.field("key", other.publicText());
            case "checkpoint" -> TrailLine.field("sig", other.sign(trail, r.seq(), prev));
            default -> r.fields();
          };
      TrailLine n = TrailLine.make(r.seq(), r.time(), r.type(), fields, prev);
      out.add(n.text());
      prev = n.hash();
    }
    rewrite(out);
    assertThat(TrailVerifier.verify(file, null).intact()).as("unpinned: self-consistent").isTrue();
    assertThat(verify().findings()).hasSize(4).allMatch(f -> f.contains("forged checkpoint"));
  }

  @Test
  void aLineOfGarbageOrInjectedTextIsNotARecord() throws Exception {
    List<String> l = lines();
    l.add(5, "{\"seq\":5,\"time\":\"x\",\"type\":\"event\",\"body\":\"a\\nb\"}");
    rewrite(l);
    assertThat(verify().findings())
        .containsExactly("line 6: not a record (altered, or something was inserted)");
  }

  @Test
  void anEmptyFileIsNotATrail() throws Exception {
    Files.writeString(file, "");
    assertThat(verify().findings()).containsExactly("empty file (not an audit trail)");
  }
}
