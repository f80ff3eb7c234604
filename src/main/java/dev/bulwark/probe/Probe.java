package dev.bulwark.probe;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Runs every requested check against one target, in a fixed order and within the set bounds, and
 * returns the report.
 */
public final class Probe {
  private final ProbeOptions options;

  /** Creates a probe with the given options. */
  public Probe(ProbeOptions options) {
    this.options = requireNonNull(options, "options");
  }

  /** Runs the probe; unreachable targets give a report with the reason, never an exception. */
  public ProbeReport run() {
    Instant started = Instant.now();
    long startNanos = System.nanoTime();
    TlsConnector connector = new TlsConnector(options);
    ProbeHttpClient client = new ProbeHttpClient(options, connector);
    ClientHelloProbe hello = new ClientHelloProbe(connector, options.target());
    List<Finding> findings = new ArrayList<>();
    String aborted = runChecks(connector, client, hello, findings);
    List<Finding> ordered = new ArrayList<>(findings);
    ordered.sort(Comparator.comparing(Finding::family));
    return new ProbeReport(
        options.target().url(),
        started,
        Duration.ofNanos(System.nanoTime() - startNanos),
        ordered,
        ProbeScore.of(ordered, aborted != null),
        client.requestsSent(),
        aborted);
  }

  /** Runs the checks in order; returns why the run stopped early, or null when it did not. */
  private @Nullable String runChecks(
      TlsConnector connector,
      ProbeHttpClient client,
      ClientHelloProbe hello,
      List<Finding> findings) {
    TlsConnector.Handshake first;
    try {
      first = connector.handshake(TlsConnector.MODERN_PROTOCOLS);
      first.socket().close();
    } catch (IOException e) {
      Finding unreachable = TargetChecks.unreachable(options.target(), e, hello);
      findings.add(unreachable);
      return unreachable.evidence();
    }
    findings.add(
        TargetChecks.REACHABLE.pass(
            first.protocol() + " with " + first.cipherSuite() + " to " + options.target().url()));
    Finding trust = CertificateChecks.trust(first.chain(), first.trustFailure());
    if (options.runs(CheckFamily.TRANSPORT) || trust.verdict() != Verdict.PASS) {
      findings.add(trust);
      findings.add(CertificateChecks.expiry(first.chain(), Instant.now()));
    }
    if (trust.verdict() != Verdict.PASS && !options.insecure()) {
      return "certificate not trusted; pass --insecure to probe anyway, or --ca-file for a"
          + " private CA";
    }

    TargetChecks.Baseline baseline = TargetChecks.fetch(options.target(), client);
    findings.add(baseline.http());
    findings.add(baseline.redirects());
    ProbeResponse response = baseline.response();
    if (response == null) {
      return baseline.http().evidence();
    }
    ProbeContext context =
        new ProbeContext(options, connector, client, hello, first.chain(), response);
    List<ProbeResponse> seen = new ArrayList<>();
    seen.add(response);

    if (options.runs(CheckFamily.TRANSPORT)) {
      findings.addAll(new TransportChecks(context).run());
    }
    if (options.runs(CheckFamily.CORS)) {
      findings.addAll(new CorsChecks(context).run());
    }
    if (options.runs(CheckFamily.ERRORS)) {
      ErrorMaskingChecks errors = new ErrorMaskingChecks(context);
      findings.addAll(errors.run());
      seen.addAll(errors.responses());
    }
    if (options.runs(CheckFamily.HEADERS)) {
      findings.addAll(HeaderChecks.run(response));
      findings.add(HeaderChecks.banners(seen));
      findings.add(CookieChecks.run(seen));
    }
    LimitChecks limits = new LimitChecks(context);
    if (options.runs(CheckFamily.LIMITS)) {
      findings.add(limits.headerSize());
      findings.add(limits.uriLength());
      findings.add(
          options.intrusive()
              ? new SlowHeaderCheck(context).run()
              : SlowHeaderCheck.SLOW_HEADERS.skip(
                  "intrusive; run with --intrusive on a target you own"));
    }
    if (options.runs(CheckFamily.SMUGGLING)) {
      findings.addAll(
          options.intrusive() ? new SmugglingChecks(context).run() : SmugglingChecks.skipped());
    }
    if (options.runs(CheckFamily.LIMITS)) {
      // Last, so a limit it trips does not change what the other checks see.
      findings.add(limits.rateLimit());
    }
    return null;
  }
}
