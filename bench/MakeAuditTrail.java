// bench/MakeAuditTrail.java — run by bench/audit-verify as a single-file program on the class path
// of target/bulwark.jar:
//   java -cp target/bulwark.jar bench/MakeAuditTrail.java OUT_DIR RECORDS
// Writes OUT_DIR/audit.log, a trail of RECORDS records made by the gateway's own writer
// (AuditTrail: sealed bodies, hash chain, a signed checkpoint every 1000 records, fsync per batch),
// and OUT_DIR/audit-signing.pub, the public key to pin. The master key and the data key are new
// for each run and never written (the bodies are sealed under them; verify needs neither).
// RECORDS counts the start record, the events and the checkpoints: 1,000,000 is 1 start record,
// 999,000 events and 999 checkpoints.

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.trail.AuditTrail;
import dev.bulwark.audit.trail.CheckpointKey;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.KeyringTable;
import dev.bulwark.store.sealed.MasterKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

public class MakeAuditTrail {
  private static final int CHECKPOINT_EVERY = 1000;

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: java -cp bulwark.jar MakeAuditTrail.java OUT_DIR RECORDS");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    long records = Long.parseLong(args[1]);
    long events = (records - 1) * CHECKPOINT_EVERY / (CHECKPOINT_EVERY + 1);
    Files.createDirectories(dir);
    MasterKey master = MasterKey.parse(MasterKey.generateText(), "${env:BENCH_MASTER_KEY}");
    Keyring keyring;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:")) {
      try (var s = c.createStatement()) {
        s.executeUpdate(KeyringTable.CREATE_TABLE);
      }
      keyring = KeyringTable.open(c, master, "bench");
    }
    CheckpointKey key = CheckpointKey.loadOrCreate(dir, keyring);
    long started = System.nanoTime();
    AuditTrail trail =
        AuditTrail.open(
            new AuditTrail.Settings(
                dir.resolve("audit.log"), CHECKPOINT_EVERY, Duration.ofHours(24), 100_000),
            keyring,
            key,
            new SimpleMeterRegistry());
    for (long i = 0; i < events; i++) {
      SecurityEvent e =
          SecurityEvent.accessDenied(
              "req-" + i, "192.0.2." + (i % 250), "api", "user-" + (i % 1000), "GET", "role:admin");
      if (i % 20_000 == 19_999 || i == events - 1) {
        // Back-pressure: wait for the writer now and then, so that the queue never fills.
        trail.acceptDurably(e).get(60, TimeUnit.SECONDS);
      } else {
        trail.accept(e);
      }
    }
    trail.close();
    if (trail.dropped() > 0) {
      System.err.println("MakeAuditTrail: " + trail.dropped() + " events dropped: run it again");
      System.exit(1);
    }
    System.out.printf(
        "wrote %s: %d events (%d MB) in %.1f s%n",
        dir.resolve("audit.log"),
        events,
        Files.size(dir.resolve("audit.log")) >> 20,
        (System.nanoTime() - started) / 1e9);
  }
}
