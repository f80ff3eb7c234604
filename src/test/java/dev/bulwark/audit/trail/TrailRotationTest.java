package dev.bulwark.audit.trail;

import static dev.bulwark.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.store.sealed.Keyring;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotation keeps the chain across files (each rotated file ends with a checkpoint, the next starts
 * with a signed anchor after it), retention leaves a verifiable rest, and a file missing from the
 * middle, a crash between a rotation's rename and its new file, and names past nine are handled.
 */
class TrailRotationTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  private static SecurityEvent refused(int i) {
    return SecurityEvent.credentialRefused(
        SecurityEventKind.TOKEN_INVALID, "r" + i, "192.0.2." + (i % 200), "api", "bad signature");
  }

  private static AuditTrail open(Path file, Keyring keyring, CheckpointKey key, int keep) {
    return AuditTrail.open(
        new AuditTrail.Settings(
            file,
            1000,
            Duration.ofHours(1),
            100,
            new AuditTrail.Rotation(3_000, Duration.ZERO),
            new AuditTrail.Retention(keep, Duration.ZERO)),
        keyring,
        key,
        new SimpleMeterRegistry());
  }

  /** Writes {@code n} events, one durable batch each, so that rotation is checked between them. */
  private static void write(AuditTrail t, int from, int n) throws Exception {
    for (int i = from; i < from + n; i++) {
      t.acceptDurably(refused(i)).get();
    }
  }

  /**
   * Writes events 0 to {@code n - 1} to a new trail {@code audit.log} in the test's directory,
   * keeping {@code keep} rotated files; returns its active file.
   */
  private Path written(CheckpointKey key, int keep, int n) throws Exception {
    Path file = dir.resolve("audit.log");
    try (AuditTrail t = open(file, TestKeyring.fresh(), key, keep)) {
      write(t, 0, n);
    }
    return file;
  }

  private static TrailLine parsed(String line) {
    return Objects.requireNonNull(TrailLine.parse(line), line);
  }

  private static List<String> lines(Path p) throws Exception {
    return Files.readAllLines(p, StandardCharsets.US_ASCII);
  }

  @Test
  void eachRotatedFileEndsWithACheckpointAndTheNextStartsWithAnAnchorAfterIt() throws Exception {
    CheckpointKey key = CheckpointKey.generate();
    Path file = written(key, 0, 40);
    List<Path> files = TrailSearch.filesOfTrail(file);
    assertThat(files.size()).isGreaterThanOrEqualTo(4);
    assertThat(files.get(0).getFileName().toString()).isEqualTo("audit.log.00000001");
    assertThat(files.get(files.size() - 1)).isEqualTo(file);
    for (int i = 0; i + 1 < files.size(); i++) {
      List<String> a = lines(files.get(i));
      TrailLine last = parsed(a.get(a.size() - 1));
      TrailLine anchor = parsed(lines(files.get(i + 1)).get(0));
      assertThat(last.type()).isEqualTo("checkpoint");
      assertThat(anchor.type()).isEqualTo("anchor");
      assertThat(anchor.prev()).isEqualTo(last.hash());
      assertThat(anchor.seq()).isEqualTo(last.seq() + 1);
    }
    TrailVerifier.Report r = TrailVerifier.verifySet(files, key.publicText());
    assertThat(r.findings()).isEmpty();
    assertThat(r.files()).isEqualTo(files.size());
    assertThat(r.firstSeq()).isZero();
  }

  @Test
  void retentionDeletesTheOldestFilesAndWhatRemainsVerifiesFromItsAnchor() throws Exception {
    CheckpointKey key = CheckpointKey.generate();
    Path file = written(key, 2, 60);
    List<Path> files = TrailSearch.filesOfTrail(file);
    assertThat(files).hasSize(3); // two rotated files kept, and the active one
    assertThat(files.get(0).getFileName().toString()).isNotEqualTo("audit.log.00000001");
    TrailVerifier.Report r = TrailVerifier.verifySet(files, key.publicText());
    assertThat(r.findings()).isEmpty();
    assertThat(r.firstSeq()).isGreaterThan(0);
    assertThat(r.notes()).singleElement().asString().contains("the trail starts at an anchor");
    // A rotated file given alone is accepted from its anchor too.
    assertThat(TrailVerifier.verify(files.get(0), key.publicText()).findings()).isEmpty();
  }

  @Test
  void aFileRemovedFromTheMiddleIsNamedAsAGapBetweenItsNeighbours() throws Exception {
    CheckpointKey key = CheckpointKey.generate();
    Path file = written(key, 0, 40);
    List<Path> files = TrailSearch.filesOfTrail(file);
    Files.delete(files.get(1));
    TrailVerifier.Report r =
        TrailVerifier.verifySet(TrailSearch.filesOfTrail(file), key.publicText());
    assertThat(r.findings())
        .singleElement()
        .asString()
        .contains("gap between audit.log.00000001 and audit.log.00000003: records ")
        .contains("are missing (a file removed from the middle)");
  }

  @Test
  void anAnchorForgedWithAnotherKeyIsNamed() throws Exception {
    CheckpointKey key = CheckpointKey.generate();
    Path file = written(key, 0, 20);
    List<Path> files = TrailSearch.filesOfTrail(file);
    Path second = files.get(1);
    List<String> l = new java.util.ArrayList<>(lines(second));
    TrailLine anchor = parsed(l.get(0));
    String forged =
        CheckpointKey.generate()
            .sign(Objects.requireNonNull(anchor.value("trail")), anchor.seq(), anchor.prev());
    String fields = anchor.fields().replace(Objects.requireNonNull(anchor.value("sig")), forged);
    TrailLine re = TrailLine.make(anchor.seq(), anchor.time(), "anchor", fields, anchor.prev());
    l.set(0, re.text());
    // The next record then no longer follows: the forgery breaks the chain too.
    Files.writeString(second, String.join("\n", l) + "\n", StandardCharsets.US_ASCII);
    assertThat(TrailVerifier.verifySet(files, key.publicText()).findings())
        .anyMatch(f -> f.contains("line 1 (seq " + anchor.seq() + "): forged anchor"));
  }

  @Test
  void aCrashAfterARotationsRenameIsAnchoredToTheLastRotatedFileAtRestart() throws Exception {
    Path file = dir.resolve("audit.log");
    CheckpointKey key = CheckpointKey.generate();
    Keyring keyring = TestKeyring.fresh();
    try (AuditTrail t = open(file, keyring, key, 0)) {
      write(t, 0, 3);
    }
    // What a crash between the rename and the new file leaves: no active file.
    Files.move(file, dir.resolve("audit.log.00000001"));
    try (AuditTrail t = open(file, keyring, key, 0)) {
      write(t, 3, 2);
    }
    assertThat(parsed(lines(file).get(0)).type()).isEqualTo("anchor");
    assertThat(TrailVerifier.verifySet(TrailSearch.filesOfTrail(file), key.publicText()).findings())
        .isEmpty();
  }

  @Test
  void filesAreOrderedByTheirNumberNotTheirName() throws Exception {
    Path file = dir.resolve("audit.log");
    for (String n : List.of("00000010", "00000009", "00000011")) {
      Files.writeString(dir.resolve("audit.log." + n), "{\"seq\":0}\n");
    }
    Files.writeString(file, "{\"seq\":0}\n");
    Files.writeString(dir.resolve("audit.log.9"), "{\"seq\":0}\n"); // not a rotated name
    assertThat(TrailSearch.filesOfTrail(file))
        .extracting(p -> p.getFileName().toString())
        .containsExactly(
            "audit.log.00000009", "audit.log.00000010", "audit.log.00000011", "audit.log");
    assertThat(TrailSegments.nextRotated(file).getFileName().toString())
        .isEqualTo("audit.log.00000012");
  }

  @Test
  void verifyOfADirectoryProvesEachTrailInItAsOneChain() throws Exception {
    CheckpointKey key = CheckpointKey.generate();
    Path file = written(key, 2, 40);
    Files.writeString(dir.resolve("notes.txt"), "not a trail\n");
    Path pub = dir.resolve("audit-signing.pub");
    Files.writeString(pub, key.publicText() + "\n");
    StringWriter out = new StringWriter();
    assertThat(run(out, "audit", "verify", dir.toString(), "--public-key", pub.toString()))
        .as(out.toString())
        .isZero();
    assertThat(out.toString())
        .contains(dir.resolve("audit.log") + " (3 files): note: ")
        .contains(dir.resolve("audit.log") + " (3 files): intact: ");
    Files.delete(TrailSearch.filesOfTrail(file).get(1));
    out = new StringWriter();
    assertThat(run(out, "audit", "verify", dir.toString(), "--public-key", pub.toString()))
        .isEqualTo(1);
    assertThat(out.toString()).contains("gap between");
  }
}
