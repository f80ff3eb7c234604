package dev.bulwark.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.trail.PostgresTrail;
import dev.bulwark.audit.trail.PostgresTrailReader;
import dev.bulwark.audit.trail.TrailSearch;
import dev.bulwark.audit.trail.TrailVerifier;
import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.sealed.MasterKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL audit sink on the real server: a chain that verifies, one order over two writers,
 * every kind of tampering by SQL named by verify, the server cut mid-stream (buffered, then dropped
 * and counted, never blocking the caller, and recovering alone), durable events acknowledged only
 * after their commit, and hostile field values stored bounded and verified intact.
 */
class PostgresAuditTrailTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  private final MasterKey master = MasterKey.parse(MasterKey.generateText(), "${env:KEY}");
  private final String schema = PostgresServer.newSchema();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    PostgresServer.drop(schema);
  }

  private PostgresStore store(String host, int port) throws SQLException {
    PostgresServer.admin().close();
    PostgresStore s =
        PostgresStore.open(
            PostgresServer.config(host, port, schema, TIMEOUT),
            master,
            StoreHealth.unmetered("postgres"));
    open.add(s);
    return s;
  }

  private PostgresStore store() throws SQLException {
    return store(PostgresServer.HOST, PostgresServer.PORT);
  }

  private PostgresTrail trail(PostgresStore db, int every, int buffer, List<SecurityEvent> alarms) {
    return trail(db, every, buffer, alarms, Duration.ZERO);
  }

  private PostgresTrail trail(
      PostgresStore db, int every, int buffer, List<SecurityEvent> alarms, Duration retention) {
    PostgresTrail t =
        PostgresTrail.open(
            new PostgresTrail.Settings(
                db.location(), every, Duration.ofSeconds(60), buffer, retention),
            db,
            db.keyring(),
            new SimpleMeterRegistry(),
            alarms::add);
    open.add(t);
    return t;
  }

  private static SecurityEvent event(int i) {
    return SecurityEvent.accessDenied(
        "req-" + i, "192.0.2." + (i % 250), "api", "alice", "DELETE", "role:admin");
  }

  private Connection admin() throws SQLException {
    Connection c = PostgresServer.admin();
    try (Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + schema);
    }
    return c;
  }

  /** An owner's connection with the append-only triggers off, as an attacker with it would. */
  private Connection tamperer() throws SQLException {
    Connection c = admin();
    try (Statement s = c.createStatement()) {
      s.execute("SET session_replication_role = replica");
    }
    return c;
  }

  private TrailVerifier.Report verify() throws SQLException {
    try (Connection c = admin()) {
      return PostgresTrailReader.verify(c, null);
    }
  }

  private void exec(String sql) throws SQLException {
    try (Connection c = tamperer();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private long count(String where) throws SQLException {
    try (Connection c = admin();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM audit_records WHERE " + where)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier done, String what)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("not within 20s: " + what);
      }
      Thread.sleep(20);
    }
  }

  /** Writes a start record, 10 events with a checkpoint every 4, and a last checkpoint. */
  private void tenEvents() throws Exception {
    PostgresTrail t = trail(store(), 4, 100, new ArrayList<>());
    for (int i = 0; i < 10; i++) {
      t.accept(event(i));
    }
    t.close();
    // seq 0 start; 1-4 events, 5 cp; 6-9 events, 10 cp; 11-12 events, 13 cp (at close)
    assertThat(count("true")).isEqualTo(14);
  }

  @Test
  void anUntouchedTrailVerifiesWithItsCheckpoints() throws Exception {
    tenEvents();
    TrailVerifier.Report r = verify();
    assertThat(r.findings()).isEmpty();
    assertThat(r.records()).isEqualTo(14);
    assertThat(r.checkpoints()).isEqualTo(3);
    assertThat(r.lastCheckpointSeq()).isEqualTo(13);
  }

  @Test
  void aBodyChangedBySqlIsNamedAsAltered() throws Exception {
    tenEvents();
    exec(
        "UPDATE audit_records SET fields = replace(fields, '\"body\":\"A', '\"body\":\"B')"
            + " WHERE seq = 3");
    assertThat(verify().findings())
        .containsExactly("seq 3: altered (its hash does not match its content)");
  }

  @Test
  void aRowDeletedBySqlIsNamedAsMissing() throws Exception {
    tenEvents();
    exec("DELETE FROM audit_records WHERE seq = 7");
    assertThat(verify().findings())
        .containsExactly("seq 8: records 7 are missing here (removed, or moved later)");
  }

  @Test
  void aForgedRowInsertedInPlaceOfAnotherIsNamed() throws Exception {
    tenEvents();
    // A forger who knows the format replaces seq 7 with a record of its own, hash and all.
    String prev;
    try (Connection c = admin();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT hash, written FROM audit_records WHERE seq = 6")) {
      r.next();
      prev = r.getString(1);
    }
    exec("DELETE FROM audit_records WHERE seq = 7");
    insertForged(7, prev);
    assertThat(verify().findings())
        .containsExactly(
            "seq 8: does not follow the record before it (inserted, reordered or replaced)");
  }

  @Test
  void aForgedRowAppendedPastTheHeadIsNamed() throws Exception {
    tenEvents();
    String last;
    try (Connection c = admin();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT hash FROM audit_records WHERE seq = 13")) {
      r.next();
      last = r.getString(1);
    }
    insertForged(14, last);
    assertThat(verify().findings())
        .containsExactly(
            "seq 14: records past the chain head (seq 13) were appended without it (inserted)");
  }

  private void insertForged(long seq, String prev) throws Exception {
    String time = Instant.now().toString();
    String fields = "\"body\":\"Zm9yZ2Vk\"";
    String prefix =
        "{\"seq\":"
            + seq
            + ",\"time\":\""
            + time
            + "\",\"type\":\"event\","
            + fields
            + ",\"prev\":\""
            + prev
            + "\"";
    String hash =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(prefix.getBytes(StandardCharsets.US_ASCII)));
    try (Connection c = tamperer();
        PreparedStatement p =
            c.prepareStatement(
                "INSERT INTO audit_records (seq, written, type, fields, prev, hash, written_ms)"
                    + " VALUES (?, ?, 'event', ?, ?, ?, 0)")) {
      p.setLong(1, seq);
      p.setString(2, time);
      p.setString(3, fields);
      p.setString(4, prev);
      p.setString(5, hash);
      p.executeUpdate();
    }
  }

  @Test
  void twoRowsSwappedBySqlAreNamed() throws Exception {
    tenEvents();
    exec("UPDATE audit_records SET seq = -1 WHERE seq = 3");
    exec("UPDATE audit_records SET seq = 3 WHERE seq = 4");
    exec("UPDATE audit_records SET seq = 4 WHERE seq = -1");
    assertThat(verify().findings())
        .containsExactly(
            "seq 3: altered (its hash does not match its content)",
            "seq 4: altered (its hash does not match its content)",
            "seq 5: does not follow the record before it (inserted, reordered or replaced)");
  }

  @Test
  void aTailDeletedBySqlIsNamedAsTruncated() throws Exception {
    tenEvents();
    exec("DELETE FROM audit_records WHERE seq >= 10");
    assertThat(verify().findings())
        .containsExactly(
            "seq 10: truncated tail: records 10..13 are missing at the end (the chain head says"
                + " the trail ends at seq 13)");
  }

  @Test
  void aForgedCheckpointIsNamed() throws Exception {
    tenEvents();
    var pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(pair.getPrivate());
    s.update("forged".getBytes(StandardCharsets.US_ASCII));
    String sig = Base64.getEncoder().encodeToString(s.sign());
    // The forger recomputes the row's hash so that only the signature is wrong.
    String prev;
    String time;
    try (Connection c = admin();
        Statement st = c.createStatement();
        ResultSet r = st.executeQuery("SELECT prev, written FROM audit_records WHERE seq = 13")) {
      r.next();
      prev = r.getString(1);
      time = r.getString(2);
    }
    String fields = "\"sig\":\"" + sig + "\"";
    String prefix =
        "{\"seq\":13,\"time\":\""
            + time
            + "\",\"type\":\"checkpoint\","
            + fields
            + ",\"prev\":\""
            + prev
            + "\"";
    String hash =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(prefix.getBytes(StandardCharsets.US_ASCII)));
    exec(
        "UPDATE audit_records SET fields = '" + fields + "', hash = '" + hash + "' WHERE seq = 13");
    exec("UPDATE audit_chain SET last_hash = '" + hash + "'");
    assertThat(verify().findings())
        .containsExactly(
            "seq 13: forged checkpoint (its signature does not verify under the trail's key)");
    // And a key other than the trail's own, pinned, refuses every checkpoint.
    String otherKey = Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
    try (Connection c = admin()) {
      assertThat(PostgresTrailReader.verify(c, otherKey).findings())
          .hasSize(3)
          .allMatch(f -> f.contains("forged checkpoint"));
    }
  }

  private long countNow(String where) {
    try {
      return count(where);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> refusal(
      PostgresStore db, String sql) {
    return assertThatThrownBy(
            () ->
                db.run(
                        "tamper",
                        c -> {
                          try (Statement s = c.createStatement()) {
                            return s.execute(sql);
                          }
                        })
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS))
        .as(sql)
        .isInstanceOf(ExecutionException.class);
  }

  @Test
  void retentionRemovesAWholePrefixUpToASignedAnchorAndWhatRemainsVerifiesAndShowsTampering()
      throws Exception {
    PostgresStore db = store();
    PostgresTrail t = trail(db, 4, 100, new ArrayList<>(), Duration.ofDays(90));
    for (int i = 0; i < 6; i++) {
      t.accept(event(i));
    }
    awaitTrue(() -> countNow("type = 'event'") == 6, "6 events written");
    // Nothing is 90 days old: nothing removed, but the chain gets an anchor to cut at later.
    assertThat(t.applyRetention()).isZero();
    long anchor;
    try (Connection c = admin();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT max(seq) FROM audit_records WHERE type = 'anchor'")) {
      r.next();
      anchor = r.getLong(1);
    }
    assertThat(anchor).isPositive();
    // 100 days pass for the rows stored so far, as the database's own clock sees them (its own
    // column, changed with the triggers off: how time passes in a test).
    exec("UPDATE audit_records SET stored_ms = stored_ms - " + Duration.ofDays(100).toMillis());
    for (int i = 6; i < 10; i++) {
      t.accept(event(i));
    }
    awaitTrue(() -> countNow("type = 'event'") == 10, "10 events written");
    long last = count("true") - 1;
    assertThat(t.applyRetention()).isEqualTo(anchor);
    assertThat(count("seq < " + anchor)).isZero();
    assertThat(count("seq >= " + anchor + " AND seq <= " + last)).isEqualTo(last - anchor + 1);
    String publicKey = t.publicKey();

    // The gateway's own connection can neither cut a record out of the middle, nor a prefix that
    // does not end at an anchor, nor ask for less than a day.
    refusal(db, "DELETE FROM audit_records WHERE seq = " + (anchor + 2))
        .satisfies(e -> assertThat(e).hasStackTraceContaining("audit_records is append-only"));
    refusal(db, "DELETE FROM audit_records WHERE seq <= " + anchor)
        .satisfies(e -> assertThat(e).hasStackTraceContaining("up to an anchor"));
    refusal(db, "SELECT audit_retain(3600000)")
        .satisfies(e -> assertThat(e).hasStackTraceContaining("at least 86400000"));
    assertThat(count("seq = " + anchor)).isOne();
    t.close();

    try (Connection c = admin()) {
      TrailVerifier.Report r = PostgresTrailReader.verify(c, publicKey);
      assertThat(r.findings()).isEmpty();
      assertThat(r.firstSeq()).isEqualTo(anchor);
      assertThat(r.notes())
          .containsExactly(
              "seq "
                  + anchor
                  + ": the trail starts at an anchor (records 0.."
                  + (anchor - 1)
                  + " were removed by retention)");
    }
    java.nio.file.Path keyFile = java.nio.file.Files.createTempFile("audit-signing", ".pub");
    java.nio.file.Files.writeString(keyFile, publicKey);
    open.add(() -> java.nio.file.Files.deleteIfExists(keyFile));
    java.io.StringWriter out = new java.io.StringWriter();
    picocli.CommandLine cli = dev.bulwark.cli.Main.commandLine();
    cli.setOut(new java.io.PrintWriter(out, true));
    cli.setErr(new java.io.PrintWriter(out, true));
    String[] verifyArgs = {
      "audit",
      "verify",
      "--postgres",
      "postgresql://127.0.0.1:" + PostgresServer.PORT + "/test",
      "--user",
      "postgres",
      "--schema",
      schema,
      "--public-key",
      keyFile.toString()
    };
    assertThat(cli.execute(verifyArgs)).as(out.toString()).isZero();
    assertThat(out.toString()).contains(": intact: ");

    // What remains is still proved: an event after the anchor altered is named.
    exec(
        "UPDATE audit_records SET fields = replace(fields, '\"body\":\"', '\"body\":\"A')"
            + " WHERE seq = "
            + (anchor + 1));
    assertThat(verify().findings())
        .containsExactly("seq " + (anchor + 1) + ": altered (its hash does not match its content)");
    out.getBuffer().setLength(0);
    assertThat(cli.execute(verifyArgs)).as(out.toString()).isOne();
    assertThat(out.toString()).contains("seq " + (anchor + 1) + ": altered");
  }

  @Test
  void aForgedAnchorCannotBeUsedToCutTheTrailUnseen() throws Exception {
    tenEvents();
    // Someone with the gateway's credentials appends an unsigned anchor past the head and removes
    // everything before it: the database lets a prefix go, but verify names the forgery.
    try (Connection c = admin();
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO audit_records (seq, written, type, fields, prev, hash, written_ms) VALUES"
              + " (14, '2026-01-01T00:00:00Z', 'anchor', '\"trail\":\"x\",\"key\":\"x\","
              + "\"sig\":\"x\"', 'x', 'x', 0)");
      s.execute("DELETE FROM audit_records WHERE seq < 14");
    }
    assertThat(verify().findings()).isNotEmpty();
    // And audit_retain never uses it before a day has passed by the database's clock.
    try (Connection c = admin();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT audit_retain(86400000)")) {
      r.next();
      assertThat(r.getLong(1)).isZero();
    }
  }

  @Test
  void theGatewaysOwnConnectionCannotChangeOrRemoveARecordOrMoveTheHeadBack() throws Exception {
    PostgresStore db = store();
    trail(db, 4, 100, new ArrayList<>()).accept(event(1));
    for (String sql :
        List.of(
            "UPDATE audit_records SET type = 'event' WHERE seq = 0",
            "DELETE FROM audit_records WHERE seq = 0",
            "TRUNCATE audit_records",
            "UPDATE audit_chain SET next_seq = 0",
            "DELETE FROM audit_chain")) {
      assertThatThrownBy(
              () ->
                  db.run(
                          "tamper",
                          c -> {
                            try (Statement s = c.createStatement()) {
                              return s.executeUpdate(sql);
                            }
                          })
                      .toCompletableFuture()
                      .get(10, TimeUnit.SECONDS))
          .as(sql)
          .isInstanceOf(ExecutionException.class)
          .satisfiesAnyOf(
              e -> assertThat(e).hasStackTraceContaining("audit_records is append-only"),
              e -> assertThat(e).hasStackTraceContaining("audit_chain: "));
    }
    assertThat(count("seq = 0")).isOne();
  }

  @Test
  void twoWritersOnOneTableKeepOneVerifiableOrder() throws Exception {
    PostgresTrail a = trail(store(), 50, 10_000, new ArrayList<>());
    PostgresTrail b = trail(store(), 50, 10_000, new ArrayList<>());
    assertThat(a.trail()).isEqualTo(b.trail());
    assertThat(a.publicKey()).isEqualTo(b.publicKey());
    int each = 2000;
    long started = System.nanoTime();
    Thread ta = new Thread(() -> write(a, 0, each));
    Thread tb = new Thread(() -> write(b, each, each));
    ta.start();
    tb.start();
    ta.join();
    tb.join();
    awaitTrue(() -> a.buffered() == 0 && b.buffered() == 0, "both buffers written");
    a.close();
    b.close();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    System.out.println(
        "two writers: " + (2 * each) + " events committed in " + millis + " ms (one chain)");
    assertThat(a.dropped() + b.dropped()).isZero();
    assertThat(count("type = 'event'")).isEqualTo(2L * each);
    TrailVerifier.Report r;
    try (Connection c = admin()) {
      r = PostgresTrailReader.verify(c, a.publicKey());
    }
    assertThat(r.findings()).isEmpty();
    assertThat(r.checkpoints()).isGreaterThanOrEqualTo(2L * each / 50);
    assertThat(r.lastSeq()).isEqualTo(r.lastCheckpointSeq());
  }

  private static void write(PostgresTrail t, int from, int n) {
    for (int i = from; i < from + n; i++) {
      t.accept(event(i));
    }
  }

  @Test
  void aServerCutMidStreamBuffersThenDropsCountedNeverBlocksAndRecoversAlone() throws Exception {
    CuttableProxy proxy = new CuttableProxy(PostgresServer.HOST, PostgresServer.PORT);
    open.add(proxy);
    List<SecurityEvent> alarms = new CopyOnWriteArrayList<>();
    PostgresTrail t = trail(store("127.0.0.1", proxy.port()), 10, 50, alarms);
    t.accept(event(0));
    awaitTrue(() -> t.buffered() == 0, "the first event written");
    proxy.cut();
    long worst = 0;
    int sent = 400;
    for (int i = 1; i <= sent; i++) {
      long s = System.nanoTime();
      t.accept(event(i));
      worst = Math.max(worst, System.nanoTime() - s);
      if (i == 5) {
        Thread.sleep(300); // the writer takes the first few in hand and fails on them
      }
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(worst)).as("longest accept").isLessThan(50);
    CompletableFuture<Void> durable = t.acceptDurably(event(9999));
    assertThatThrownBy(() -> durable.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    // At most the buffer and the batch in hand are kept; the rest is counted as dropped.
    assertThat(t.dropped()).isBetween((long) sent - 50 - 5, (long) sent - 50 + 1);
    assertThat(alarms).hasSize(1);
    assertThat(alarms.get(0).kind()).isEqualTo(SecurityEventKind.AUDIT_DROPPED);
    long kept = sent + 1 - t.dropped();
    proxy.restore();
    awaitTrue(() -> t.buffered() == 0, "the buffer written after the server came back");
    t.close();
    assertThat(count("type = 'event'")).isEqualTo(1 + kept);
    try (Connection c = admin()) {
      assertThat(PostgresTrailReader.verify(c, t.publicKey()).findings()).isEmpty();
    }
  }

  @Test
  void aDurableEventCompletesOnlyOnceItsRowIsCommitted() throws Exception {
    PostgresTrail t = trail(store(), 1000, 100, new ArrayList<>());
    for (int i = 0; i < 20; i++) {
      SecurityEvent e =
          SecurityEvent.ban("ban-" + i, "198.51.100." + i, "admin", Instant.now(), 0, "abuse");
      CompletableFuture<Void> stored = t.acceptDurably(e);
      CompletableFuture<Long> seen =
          stored.thenApply(
              x -> {
                try {
                  return count("type = 'event'");
                } catch (SQLException ex) {
                  throw new IllegalStateException(ex);
                }
              });
      assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(i + 1L);
    }
  }

  @Test
  void aMegabyteUserAgentAndInjectionStringsAreStoredBoundedAndVerifyIntact() throws Exception {
    PostgresStore db = store();
    PostgresTrail t = trail(db, 1000, 100, new ArrayList<>());
    String hostile = "x\n{\"seq\":99}\r\n\u001b[31mred\u001b[0m\"},\u2028\u202e";
    SecurityEvent e =
        SecurityEvent.accessDenied("r-1", "192.0.2.1", "api", hostile, "DELETE", hostile)
            .withOrigin(new SecurityEvent.Origin("192.0.2.1", "A".repeat(1 << 20), "/p\n?x=1"));
    t.acceptDurably(e).get(10, TimeUnit.SECONDS);
    t.close();
    try (Connection c = admin();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT max(length(fields)) FROM audit_records")) {
      r.next();
      assertThat(r.getInt(1)).isLessThan(8 * 1024);
    }
    assertThat(verify().findings()).isEmpty();
    TrailSearch.Result found;
    try (Connection c = admin()) {
      found =
          PostgresTrailReader.search(
              c,
              db.keyring(),
              new TrailSearch.Query(
                  Instant.now().minusSeconds(3600),
                  null,
                  hostile,
                  "access-denied",
                  null,
                  null,
                  null,
                  null,
                  -1,
                  10),
              1000);
    }
    assertThat(found.records()).hasSize(1);
    ObjectNode body = found.records().get(0);
    assertThat(body.get("user.id").asText()).isEqualTo(hostile);
    assertThat(body.get("user_agent.original").asText())
        .startsWith("AAAA")
        .endsWith("...(cut " + ((1 << 20) - 512) + " chars)");
    assertThat(body.get("bulwark.truncated").toString()).contains("user_agent.original");
    assertThat(body.get("url.path").asText()).isEqualTo("/p\n");
  }

  @Test
  void theLossWindowInNormalRunningIsMeasured() throws Exception {
    PostgresTrail t = trail(store(), 1000, 10_000, new ArrayList<>());
    List<Long> waits = new ArrayList<>();
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    List<Long> starts = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      if (i % 50 == 0) {
        starts.add(System.nanoTime());
        CompletableFuture<Void> f = t.acceptDurably(event(i));
        int at = starts.size() - 1;
        pending.add(
            f.thenRun(
                () -> {
                  synchronized (waits) {
                    waits.add(System.nanoTime() - starts.get(at));
                  }
                }));
      } else {
        t.accept(event(i));
      }
      if (i % 10 == 0) {
        Thread.sleep(1); // about 5,000 events a second, well above a gateway's security events
      }
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    List<Long> sorted;
    synchronized (waits) {
      sorted = waits.stream().sorted().toList();
    }
    long p50 = TimeUnit.NANOSECONDS.toMillis(sorted.get(sorted.size() / 2));
    long max = TimeUnit.NANOSECONDS.toMillis(sorted.get(sorted.size() - 1));
    System.out.println(
        "loss window (accept to commit), "
            + sorted.size()
            + " samples: p50 "
            + p50
            + " ms, max "
            + max
            + " ms");
    assertThat(t.dropped()).isZero();
    assertThat(max).isLessThan(5_000);
  }
}
