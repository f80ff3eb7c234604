package dev.bulwark.audit.trail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.SealRefused;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditTrailTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  private AuditTrail open(Path file, Keyring keyring, CheckpointKey key, int queue) {
    return AuditTrail.open(
        new AuditTrail.Settings(file, 1000, Duration.ofHours(1), queue),
        keyring,
        key,
        new SimpleMeterRegistry());
  }

  private static TrailLine parsed(String line) {
    return Objects.requireNonNull(TrailLine.parse(line), line);
  }

  private static JsonNode body(Keyring keyring, String trail, TrailLine line) throws Exception {
    byte[] sealed = Base64.getDecoder().decode(Objects.requireNonNull(line.value("body")));
    return new ObjectMapper()
        .readTree(keyring.open(AuditTrail.recordId(trail, line.seq()), sealed));
  }

  @Test
  void hostileFieldsStayInsideOneSealedRecordAndAreCut() throws Exception {
    Path file = dir.resolve("audit.log");
    Keyring keyring = TestKeyring.fresh();
    String hostile = "x\n{\"seq\":99}\r\u001b[31mred\u001b[0m\"},\u2028" + "A".repeat(1_000_000);
    try (AuditTrail t = open(file, keyring, CheckpointKey.generate(), 10)) {
      t.acceptDurably(SecurityEvent.ban("req-1", "192.0.2.9", "admin", Instant.EPOCH, 0, hostile))
          .get();
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    assertThat(lines).hasSize(3); // start, the event, the closing checkpoint
    assertThat(lines.get(1)).doesNotContain("192.0.2.9").doesNotContain("seq\":99");
    assertThat(Files.size(file)).isLessThan(16_000);
    String trail = Objects.requireNonNull(parsed(lines.get(0)).value("trail"));
    JsonNode b = body(keyring, trail, parsed(lines.get(1)));
    assertThat(b.get("event.action").asText()).isEqualTo("ban");
    assertThat(b.get("bulwark.target").asText()).isEqualTo("192.0.2.9");
    assertThat(b.get("event.reason").asText())
        .startsWith("x\n{\"seq\":99}\r\u001b[31m")
        .endsWith("...(cut " + (hostile.length() - EventBody.MAX_TEXT_CHARS) + " chars)");
    assertThat(
            new String(
                EventBody.of(SecurityEvent.unban("r", "\u001b\n", "admin")),
                StandardCharsets.ISO_8859_1))
        .doesNotContain("\n")
        .doesNotContain("\u001b")
        .contains("\\n");
    assertThat(TrailVerifier.verify(file, null).intact()).isTrue();
  }

  @Test
  void aBodyCopiedOntoAnotherRecordDoesNotOpen() throws Exception {
    Path file = dir.resolve("audit.log");
    Keyring keyring = TestKeyring.fresh();
    try (AuditTrail t = open(file, keyring, CheckpointKey.generate(), 10)) {
      t.acceptDurably(SecurityEvent.unban("a", "192.0.2.1", "admin")).get();
      t.acceptDurably(SecurityEvent.unban("b", "192.0.2.2", "admin")).get();
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    String trail = Objects.requireNonNull(parsed(lines.get(0)).value("trail"));
    TrailLine first = parsed(lines.get(1));
    TrailLine moved = TrailLine.make(2, first.time(), "event", first.fields(), first.prev());
    assertThatThrownBy(() -> body(keyring, trail, moved)).isInstanceOf(SealRefused.class);
    assertThat(body(keyring, trail, first).get("http.request.id").asText()).isEqualTo("a");
  }

  @Test
  void aFullQueueDropsAndCountsWithoutBlocking() throws Exception {
    Path file = dir.resolve("audit.log");
    HeldClock clock = new HeldClock();
    Keyring keyring = TestKeyring.fresh();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (AuditTrail t =
        AuditTrail.open(
            new AuditTrail.Settings(file, 1000, Duration.ofHours(1), 4),
            keyring,
            CheckpointKey.generate(),
            registry,
            clock)) {
      clock.hold = true; // the writer now waits on its clock, so the queue fills
      Thread.sleep(300);
      long start = System.nanoTime();
      for (int i = 0; i < 10; i++) {
        t.accept(SecurityEvent.unban("r" + i, "192.0.2.1", "admin"));
      }
      assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(1).toNanos());
      assertThat(t.dropped()).isEqualTo(6);
      assertThat(registry.counter("bulwark.audit.dropped").count()).isEqualTo(6);
      assertThatThrownBy(() -> t.acceptDurably(SecurityEvent.unban("d", "c", "admin")).get())
          .hasMessageContaining("audit queue full");
      clock.release.countDown();
    }
    assertThat(TrailVerifier.verify(file, null).records()).isEqualTo(1 + 4 + 1);
  }

  @Test
  void droppingTellsTheAlarmOncePerEpisode() throws Exception {
    Path file = dir.resolve("audit.log");
    HeldClock clock = new HeldClock();
    List<SecurityEvent> alarms = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (AuditTrail t =
        AuditTrail.open(
            new AuditTrail.Settings(file, 1000, Duration.ofHours(1), 4),
            TestKeyring.fresh(),
            CheckpointKey.generate(),
            new SimpleMeterRegistry(),
            clock)) {
      t.alarmOnDrop(alarms::add);
      clock.hold = true;
      Thread.sleep(300);
      for (int i = 0; i < 10; i++) {
        t.accept(SecurityEvent.unban("r" + i, "192.0.2.1", "admin"));
      }
      assertThat(alarms).hasSize(1);
      assertThat(alarms.get(0).kind()).isEqualTo(dev.bulwark.audit.SecurityEventKind.AUDIT_DROPPED);
      assertThat(alarms.get(0).reason()).contains("audit queue full");
      clock.hold = false;
      clock.release.countDown();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (true) { // the writer drains the queue it held
        try {
          t.acceptDurably(SecurityEvent.unban("after", "192.0.2.1", "admin")).get();
          break;
        } catch (java.util.concurrent.ExecutionException full) {
          assertThat(System.nanoTime()).isLessThan(deadline);
          Thread.sleep(20);
        }
      }
      assertThat(alarms).as("written again: the episode is over, no new alarm").hasSize(1);
    }
  }

  @Test
  void recordsThatCannotBeWrittenTellTheAlarm() throws Exception {
    Path file = dir.resolve("audit.log");
    java.util.concurrent.atomic.AtomicBoolean diskFull =
        new java.util.concurrent.atomic.AtomicBoolean();
    List<SecurityEvent> alarms = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (AuditTrail t =
        AuditTrail.open(
            new AuditTrail.Settings(file, 1000, Duration.ofHours(1), 10),
            TestKeyring.fresh(),
            CheckpointKey.generate(),
            new SimpleMeterRegistry(),
            java.time.Clock.systemUTC(),
            f -> {
              if (diskFull.get()) {
                throw new java.io.IOException("No space left on device");
              }
            })) {
      t.alarmOnDrop(alarms::add);
      diskFull.set(true);
      assertThatThrownBy(() -> t.acceptDurably(SecurityEvent.unban("a", "c", "admin")).get())
          .hasMessageContaining("No space left");
      assertThatThrownBy(() -> t.acceptDurably(SecurityEvent.unban("b", "c", "admin")).get())
          .hasMessageContaining("No space left");
      assertThat(alarms).hasSize(1);
      assertThat(alarms.get(0).reason()).contains("could not be written");
      diskFull.set(false);
      t.acceptDurably(SecurityEvent.unban("c", "c", "admin")).get();
      diskFull.set(true);
      assertThatThrownBy(() -> t.acceptDurably(SecurityEvent.unban("d", "c", "admin")).get())
          .hasMessageContaining("No space left");
      assertThat(alarms).as("a new episode after a good write").hasSize(2);
    }
  }

  /** A clock that, once held, makes whoever reads it wait until released. */
  static final class HeldClock extends java.time.Clock {
    volatile boolean hold;
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      if (hold) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return Instant.now();
    }
  }

  @Test
  void aRestartResumesTheChainAndCutsATornRecord() throws Exception {
    Path file = dir.resolve("audit.log");
    Keyring keyring = TestKeyring.fresh();
    CheckpointKey key = CheckpointKey.generate();
    try (AuditTrail t = open(file, keyring, key, 10)) {
      t.acceptDurably(SecurityEvent.unban("a", "192.0.2.1", "admin")).get();
    }
    Files.writeString(
        file,
        "{\"seq\":3,\"time\":\"2026",
        StandardCharsets.US_ASCII,
        java.nio.file.StandardOpenOption.APPEND);
    try (AuditTrail t = open(file, keyring, key, 10)) {
      t.acceptDurably(SecurityEvent.unban("b", "192.0.2.1", "admin")).get();
    }
    TrailVerifier.Report r = TrailVerifier.verify(file, key.publicText());
    assertThat(r.findings()).isEmpty();
    assertThat(r.records()).isEqualTo(6);
    assertThat(r.lastCheckpointSeq()).isEqualTo(5);
  }

  @Test
  void aFileThatIsNotATrailIsRefusedNamingIt() throws Exception {
    Path file = dir.resolve("notes.txt");
    Files.writeString(file, "hello\n");
    assertThatThrownBy(() -> open(file, TestKeyring.fresh(), CheckpointKey.generate(), 10))
        .hasMessage(
            file
                + ": not an audit trail (its first line is not a start record); move it aside or"
                + " point audit.file elsewhere");
  }
}
