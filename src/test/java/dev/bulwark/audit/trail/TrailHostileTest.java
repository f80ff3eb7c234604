package dev.bulwark.audit.trail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.EventDetail;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.exchange.CidrSet;
import dev.bulwark.store.sealed.Keyring;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input and a hostile disk: a 1 MB user agent is cut and marked; newlines, ANSI escapes and
 * JSON-breaking text in every field come back intact from search and print safely; a disk that
 * fills fails writes loudly (one log line per interval, a metric) without blocking, refuses durable
 * acknowledgements, leaves no half record, and the trail goes on once space is back.
 */
class TrailHostileTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  private static final String EVIL =
      "a\nb\r\n{\"seq\":9,\"type\":\"event\"}\u001b[2J\u001b[31mred\u001b]0;title\u0007\u009b1m"
          + "\"},\\\u2028\u202e\u0000\u007f=x y";

  private static final ObjectMapper JSON = new ObjectMapper();

  private AuditTrail open(Path file, Keyring keyring, CheckpointKey key, TrailFile.WriteGate gate) {
    return AuditTrail.open(
        new AuditTrail.Settings(file, 1000, Duration.ofHours(1), 100),
        keyring,
        key,
        new SimpleMeterRegistry(),
        Clock.systemUTC(),
        gate);
  }

  private static TrailSearch.Query all() {
    return new TrailSearch.Query(null, null, null, null, null, null, null, null, -1, 1000);
  }

  @Test
  void aMegabyteUserAgentIsCutInTheRecordAndMarkedTruncated() throws Exception {
    Path file = dir.resolve("audit.log");
    Keyring keyring = TestKeyring.fresh();
    String ua = "Mozilla/5.0 " + "A".repeat(1 << 20);
    try (AuditTrail t = open(file, keyring, CheckpointKey.generate(), TrailFile.WriteGate.NONE)) {
      t.acceptDurably(
              SecurityEvent.unban("req-ua", "192.0.2.7", "admin")
                  .withOrigin(new SecurityEvent.Origin("203.0.113.5", ua, "/bans/192.0.2.7?x=1")))
          .get();
    }
    assertThat(Files.size(file)).isLessThan(16_000);
    ObjectNode r = TrailSearch.search(List.of(file), keyring, all(), 100).records().get(0);
    assertThat(r.get("user_agent.original").asText())
        .startsWith("Mozilla/5.0 AAAA")
        .endsWith("...(cut " + (ua.length() - EventBody.MAX_TEXT_CHARS) + " chars)");
    assertThat(r.get("bulwark.truncated").toString()).isEqualTo("[\"user_agent.original\"]");
    assertThat(r.get("url.path").asText()).isEqualTo("/bans/192.0.2.7"); // never the query
    assertThat(r.get("source.ip").asText()).isEqualTo("203.0.113.5");
    assertThat(r.get("bulwark.target").asText()).isEqualTo("192.0.2.7");
    assertThat(r.get("event.outcome").asText()).isEqualTo("success");
  }

  @Test
  void injectionInEveryFieldRoundTripsThroughWriteVerifyAndSearchAndPrintsSafely()
      throws Exception {
    Path file = dir.resolve("audit.log");
    Keyring keyring = TestKeyring.fresh();
    CheckpointKey key = CheckpointKey.generate();
    SecurityEvent evil =
        new SecurityEvent(
            SecurityEventKind.ACCESS_DENIED,
            System.currentTimeMillis(),
            "req" + EVIL,
            "198.51.100.1",
            "route" + EVIL,
            403,
            "reason" + EVIL,
            "alice" + EVIL,
            "via" + EVIL,
            new EventDetail.AccessRule("GET" + EVIL, "rule" + EVIL),
            0,
            new SecurityEvent.Origin("addr" + EVIL, "ua" + EVIL, "/p" + EVIL));
    try (AuditTrail t = open(file, keyring, key, TrailFile.WriteGate.NONE)) {
      t.acceptDurably(evil).get();
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    assertThat(lines).hasSize(3).allMatch(l -> TrailLine.parse(l) != null);
    assertThat(TrailVerifier.verify(file, key.publicText()).findings()).isEmpty();

    ObjectNode r = TrailSearch.search(List.of(file), keyring, all(), 100).records().get(0);
    assertThat(r.get("user.id").asText()).isEqualTo("alice" + EVIL);
    assertThat(r.get("event.reason").asText()).isEqualTo("reason" + EVIL);
    assertThat(r.get("http.request.id").asText()).isEqualTo("req" + EVIL);
    assertThat(r.get("user_agent.original").asText()).isEqualTo("ua" + EVIL);
    assertThat(r.get("url.path").asText()).isEqualTo("/p" + EVIL);
    assertThat(r.get("http.request.method").asText()).isEqualTo("GET" + EVIL);
    assertThat(r.get("bulwark.rule").asText()).isEqualTo("rule" + EVIL);

    String json = RecordText.json(r);
    assertThat(json).matches("[\\x20-\\x7e]*"); // printable ASCII only: no newline, no ESC
    JsonNode back = JSON.readTree(json);
    assertThat(back.get("user.id").asText()).isEqualTo("alice" + EVIL);
    assertThat(back.size()).isEqualTo(r.size()); // no field smuggled in by a quote

    String text = RecordText.line(r);
    assertThat(text).matches("[\\x20-\\x7e]*");
    // Every field is one token: spaces, quotes and equals signs inside values are escaped.
    assertThat(text.split(" ")).hasSize(3 + r.size() - 5);
    assertThat(text).contains("user.id=alicea\\u000ab\\u000d\\u000a");
    assertThat(text).doesNotContain("\u001b").contains("\\u001b[2J");

    // Searching by the hostile actor finds it; the CLI JSON carries it back intact.
    TrailSearch.Query byActor =
        new TrailSearch.Query(
            null, null, "alice" + EVIL, null, "failure", null, null, null, -1, 10);
    assertThat(TrailSearch.search(List.of(file), keyring, byActor, 100).records()).hasSize(1);
  }

  @Test
  void searchFiltersByTimeActionOutcomeAddressAndIdAndPagesOn() throws Exception {
    Path file = dir.resolve("audit.log");
    Keyring keyring = TestKeyring.fresh();
    try (AuditTrail t = open(file, keyring, CheckpointKey.generate(), TrailFile.WriteGate.NONE)) {
      for (int i = 0; i < 6; i++) {
        t.acceptDurably(
                SecurityEvent.credentialRefused(
                    SecurityEventKind.TOKEN_INVALID, "req-" + i, "10.0.0." + i, "api", "bad"))
            .get();
      }
      t.acceptDurably(SecurityEvent.unban("req-u", "192.0.2.1", "admin")).get();
    }
    List<Path> f = List.of(file);
    TrailSearch.Result tenNet =
        TrailSearch.search(
            f,
            keyring,
            new TrailSearch.Query(
                Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plusSeconds(60),
                null,
                "token-*",
                "failure",
                CidrSet.of(List.of("10.0.0.0/8")),
                null,
                null,
                -1,
                4),
            1000);
    assertThat(tenNet.records()).hasSize(4);
    assertThat(tenNet.next()).isGreaterThan(0);
    TrailSearch.Result rest =
        TrailSearch.search(
            f,
            keyring,
            new TrailSearch.Query(
                null, null, null, "token-invalid", null, null, null, null, tenNet.next(), 100),
            1000);
    assertThat(rest.records())
        .extracting(r -> r.get("http.request.id").asText())
        .containsExactly("req-4", "req-5");
    assertThat(rest.next()).isEqualTo(-1);
    TrailSearch.Query byId =
        new TrailSearch.Query(null, null, null, null, null, null, null, "req-u", -1, 10);
    ObjectNode u = TrailSearch.search(f, keyring, byId, 1000).records().get(0);
    assertThat(u.get("event.action").asText()).isEqualTo("unban");
    String seq = u.get("bulwark.seq").asText();
    TrailSearch.Query bySeq =
        new TrailSearch.Query(null, null, null, null, null, null, null, seq, -1, 10);
    assertThat(TrailSearch.search(f, keyring, bySeq, 1000).records()).hasSize(1);
    // A bounded scan stops and says where to go on.
    assertThat(TrailSearch.search(f, keyring, byId, 3).next()).isGreaterThan(0);
  }

  @Test
  void aSchemaOneBodyIsReadUnderEcsNames() {
    ObjectNode v1 = JSON.createObjectNode();
    v1.put("time", "2026-12-07T11:00:00Z");
    v1.put("event", "token-invalid");
    v1.put("requestId", "r1");
    v1.put("client", "192.0.2.1");
    v1.put("route", "api");
    v1.put("reason", "bad");
    ObjectNode ecs = TrailSearch.upgrade(v1);
    assertThat(ecs.toString())
        .isEqualTo(
            "{\"bulwark.schema\":1,\"@timestamp\":\"2026-12-07T11:00:00Z\","
                + "\"event.action\":\"token-invalid\",\"event.outcome\":\"failure\","
                + "\"http.request.id\":\"r1\",\"source.ip\":\"192.0.2.1\","
                + "\"bulwark.route\":\"api\",\"event.reason\":\"bad\"}");
  }

  /** A disk that fills: every write fails while {@code full}, after a half record is written. */
  static final class FillingDisk implements TrailFile.WriteGate {
    final AtomicBoolean full = new AtomicBoolean();

    @Override
    public void check(Path file) throws IOException {
      if (full.get()) {
        Files.writeString(
            file, "{\"seq\":99,\"ti", StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
        throw new IOException("No space left on device");
      }
    }
  }

  @Test
  void aFullDiskFailsWritesLoudlyOnceAndRefusesDurableAcknowledgementsWithoutTearingTheTrail()
      throws Exception {
    Path file = dir.resolve("audit.log");
    Keyring keyring = TestKeyring.fresh();
    CheckpointKey key = CheckpointKey.generate();
    FillingDisk disk = new FillingDisk();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<String> severe = new ArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
              synchronized (severe) {
                severe.add(r.getMessage());
              }
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger log = Logger.getLogger(AuditTrail.class.getName());
    log.addHandler(capture);
    try (AuditTrail t =
        AuditTrail.open(
            new AuditTrail.Settings(file, 1000, Duration.ofHours(1), 100),
            keyring,
            key,
            registry,
            Clock.systemUTC(),
            disk)) {
      t.acceptDurably(SecurityEvent.unban("before", "192.0.2.1", "admin")).get();
      disk.full.set(true);
      long start = System.nanoTime();
      for (int i = 0; i < 5; i++) {
        t.accept(SecurityEvent.unban("lost-" + i, "192.0.2.1", "admin")); // never throws
        int n = i;
        assertThatThrownBy(
                () ->
                    t.acceptDurably(SecurityEvent.unban("refused-" + n, "192.0.2.1", "admin"))
                        .get())
            .isInstanceOf(ExecutionException.class)
            .hasMessageContaining("No space left on device");
      }
      assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(10).toNanos());
      assertThat(registry.counter("bulwark.audit.write.failures").count())
          .isGreaterThanOrEqualTo(5);
      synchronized (severe) {
        assertThat(severe).hasSize(1);
        assertThat(severe.get(0))
            .startsWith(file + ": audit records could not be written (No space left on device)");
      }
      disk.full.set(false);
      t.acceptDurably(SecurityEvent.unban("after", "192.0.2.1", "admin")).get();
    } finally {
      log.removeHandler(capture);
    }
    assertThat(TrailVerifier.verify(file, key.publicText()).findings()).isEmpty();
    List<ObjectNode> found = TrailSearch.search(List.of(file), keyring, all(), 100).records();
    assertThat(found)
        .extracting(r -> r.get("http.request.id").asText())
        .containsExactly("before", "after");
  }

  @Test
  void aRecordTornByACrashIsReportedThenCutAtRestartWhichSaysSoInTheTrail() throws Exception {
    Path file = dir.resolve("audit.log");
    Keyring keyring = TestKeyring.fresh();
    CheckpointKey key = CheckpointKey.generate();
    try (AuditTrail t = open(file, keyring, key, TrailFile.WriteGate.NONE)) {
      t.acceptDurably(SecurityEvent.unban("a", "192.0.2.1", "admin")).get();
    }
    Files.writeString(
        file, "{\"seq\":3,\"time\":\"2026", StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
    assertThat(TrailVerifier.verify(file, key.publicText()).findings())
        .containsExactly("line 4: truncated tail (the last record is incomplete)");
    try (AuditTrail t = open(file, keyring, key, TrailFile.WriteGate.NONE)) {
      t.acceptDurably(SecurityEvent.unban("b", "192.0.2.1", "admin")).get();
    }
    TrailVerifier.Report r = TrailVerifier.verify(file, key.publicText());
    assertThat(r.findings()).isEmpty();
    assertThat(r.notes())
        .containsExactly(
            "line 4 (seq 3): a restart after a crash cut a torn last record (21 bytes; it was"
                + " never acknowledged)");
  }
}
