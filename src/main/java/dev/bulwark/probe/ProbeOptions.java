package dev.bulwark.probe;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Everything that bounds and steers one probe run.
 *
 * @param target the endpoint under test
 * @param httpPort the port where a plain-HTTP listener should redirect to HTTPS
 * @param insecure whether to continue after an untrusted certificate (it is still reported)
 * @param caFile PEM file of trust anchors replacing the JDK's defaults, or {@code null}
 * @param burst number of requests the rate-limit check may send, 1 to {@value #MAX_BURST}
 * @param intrusive whether the owner allows smuggling and slow-header probes
 * @param timeout deadline for each connection and exchange
 * @param slowHeaderBudget how long the slow-header probe keeps trickling headers
 * @param families the check families to run
 * @param maxBodyBytes how much of each response body is read before the rest is dropped
 * @param userAgent the {@code User-Agent} sent with every request
 */
public record ProbeOptions(
    ProbeTarget target,
    int httpPort,
    boolean insecure,
    @Nullable Path caFile,
    int burst,
    boolean intrusive,
    Duration timeout,
    Duration slowHeaderBudget,
    Set<CheckFamily> families,
    int maxBodyBytes,
    String userAgent) {

  /** The hard upper bound of the rate-limit burst, whatever the caller asks for. */
  public static final int MAX_BURST = 500;

  /** The default rate-limit burst. */
  public static final int DEFAULT_BURST = 50;

  /** The {@code User-Agent} that identifies the probe in the target's logs. */
  public static final String DEFAULT_USER_AGENT =
      "bulwark-probe/0.1 (hardening probe; run only against systems you own)";

  /** Checks every bound. */
  public ProbeOptions {
    requireNonNull(target, "target");
    requireNonNull(timeout, "timeout");
    requireNonNull(slowHeaderBudget, "slowHeaderBudget");
    requireNonNull(families, "families");
    requireNonNull(userAgent, "userAgent");
    if (httpPort < 1 || httpPort > 65535) {
      throw new IllegalArgumentException("http-port: " + httpPort + " (expected: 1-65535)");
    }
    if (burst < 1 || burst > MAX_BURST) {
      throw new IllegalArgumentException("burst: " + burst + " (expected: 1-" + MAX_BURST + ")");
    }
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(2)) > 0) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0 and <= 2m)");
    }
    if (slowHeaderBudget.isNegative()
        || slowHeaderBudget.isZero()
        || slowHeaderBudget.compareTo(Duration.ofMinutes(2)) > 0) {
      throw new IllegalArgumentException(
          "slow-header-budget: " + slowHeaderBudget + " (expected: > 0 and <= 2m)");
    }
    if (maxBodyBytes < 1024 || maxBodyBytes > 16 * 1024 * 1024) {
      throw new IllegalArgumentException(
          "max-body-bytes: " + maxBodyBytes + " (expected: 1 KiB to 16 MiB)");
    }
    families = families.isEmpty() ? EnumSet.noneOf(CheckFamily.class) : EnumSet.copyOf(families);
    families.add(CheckFamily.TARGET);
    families = Set.copyOf(families);
  }

  /** Returns a builder with the documented defaults for the given target. */
  public static Builder builder(ProbeTarget target) {
    return new Builder(target);
  }

  /** Returns whether the given family should run. */
  public boolean runs(CheckFamily family) {
    return families.contains(family);
  }

  /** Collects options with defaults; every value is checked when {@link #build()} is called. */
  public static final class Builder {
    private final ProbeTarget target;
    private int httpPort = 80;
    private boolean insecure;
    private @Nullable Path caFile;
    private int burst = DEFAULT_BURST;
    private boolean intrusive;
    private Duration timeout = Duration.ofSeconds(10);
    private Duration slowHeaderBudget = Duration.ofSeconds(20);
    private Set<CheckFamily> families = EnumSet.allOf(CheckFamily.class);
    private int maxBodyBytes = 256 * 1024;
    private String userAgent = DEFAULT_USER_AGENT;

    private Builder(ProbeTarget target) {
      this.target = requireNonNull(target, "target");
    }

    /** Sets the plain-HTTP port checked for a redirect. */
    public Builder httpPort(int httpPort) {
      this.httpPort = httpPort;
      return this;
    }

    /** Sets whether to continue after an untrusted certificate. */
    public Builder insecure(boolean insecure) {
      this.insecure = insecure;
      return this;
    }

    /** Sets the PEM trust anchors that replace the JDK's defaults. */
    public Builder caFile(@Nullable Path caFile) {
      this.caFile = caFile;
      return this;
    }

    /** Sets the rate-limit burst size. */
    public Builder burst(int burst) {
      this.burst = burst;
      return this;
    }

    /** Sets whether intrusive probes run. */
    public Builder intrusive(boolean intrusive) {
      this.intrusive = intrusive;
      return this;
    }

    /** Sets the per-connection and per-exchange deadline. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Sets how long the slow-header probe trickles headers. */
    public Builder slowHeaderBudget(Duration slowHeaderBudget) {
      this.slowHeaderBudget = slowHeaderBudget;
      return this;
    }

    /** Sets the check families to run. */
    public Builder families(Set<CheckFamily> families) {
      this.families =
          families.isEmpty() ? EnumSet.noneOf(CheckFamily.class) : EnumSet.copyOf(families);
      return this;
    }

    /** Sets how many bytes of each response body are read. */
    public Builder maxBodyBytes(int maxBodyBytes) {
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /** Sets the {@code User-Agent} header. */
    public Builder userAgent(String userAgent) {
      this.userAgent = userAgent;
      return this;
    }

    /** Returns the checked options. */
    public ProbeOptions build() {
      return new ProbeOptions(
          target,
          httpPort,
          insecure,
          caFile,
          burst,
          intrusive,
          timeout,
          slowHeaderBudget,
          families,
          maxBodyBytes,
          userAgent);
    }
  }
}
