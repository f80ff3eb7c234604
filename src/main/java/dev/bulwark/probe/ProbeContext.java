package dev.bulwark.probe;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What every check needs: the options, the connections to the target, and what the first steps
 * learnt (the TLS session and the baseline response).
 *
 * @param options the run's options
 * @param connector opens connections to the target
 * @param client sends HTTP requests and counts them
 * @param hello offers raw ClientHellos
 * @param chain the certificate chain the target presented
 * @param baseline the response to a plain GET of the probed path, after same-origin redirects
 */
record ProbeContext(
    ProbeOptions options,
    TlsConnector connector,
    ProbeHttpClient client,
    ClientHelloProbe hello,
    List<X509Certificate> chain,
    ProbeResponse baseline) {

  ProbeContext {
    requireNonNull(options, "options");
    requireNonNull(connector, "connector");
    requireNonNull(client, "client");
    requireNonNull(hello, "hello");
    requireNonNull(baseline, "baseline");
    chain = List.copyOf(chain);
  }

  /** Returns the endpoint under test. */
  ProbeTarget target() {
    return options.target();
  }

  /** Describes an I/O failure in one line of evidence. */
  static String describe(IOException e) {
    if (e instanceof SocketTimeoutException) {
      return "no answer within the timeout";
    }
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
