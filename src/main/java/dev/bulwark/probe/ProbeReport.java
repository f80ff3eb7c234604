package dev.bulwark.probe;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Everything one probe run found.
 *
 * @param target the probed URL
 * @param startedAt when the run began
 * @param elapsed how long it took
 * @param findings every check's finding, in run order
 * @param score the score of the findings
 * @param requestsSent how many HTTP requests the run wrote to the target
 * @param abortedReason why the run stopped early, or {@code null} when every step ran
 */
public record ProbeReport(
    String target,
    Instant startedAt,
    Duration elapsed,
    List<Finding> findings,
    ProbeScore score,
    int requestsSent,
    @Nullable String abortedReason) {

  /** Checks and copies the components. */
  public ProbeReport {
    requireNonNull(target, "target");
    requireNonNull(startedAt, "startedAt");
    requireNonNull(elapsed, "elapsed");
    requireNonNull(score, "score");
    findings = List.copyOf(findings);
  }

  /** Returns the finding with the given id, or {@code null} when that check did not report. */
  public @Nullable Finding finding(String id) {
    return findings.stream().filter(f -> f.id().equals(id)).findFirst().orElse(null);
  }

  /** Returns the verdict of the given check, or {@link Verdict#SKIP} when it did not report. */
  public Verdict verdict(String id) {
    Finding f = finding(id);
    return f == null ? Verdict.SKIP : f.verdict();
  }

  /** Returns the evidence of the given check, or an empty string when it did not report. */
  public String evidence(String id) {
    Finding f = finding(id);
    return f == null ? "" : f.evidence();
  }

  /** Returns how many findings have the given verdict. */
  public long count(Verdict verdict) {
    return findings.stream().filter(f -> f.verdict() == verdict).count();
  }

  /** Returns whether the run stopped before all requested checks ran. */
  public boolean aborted() {
    return abortedReason != null;
  }
}
