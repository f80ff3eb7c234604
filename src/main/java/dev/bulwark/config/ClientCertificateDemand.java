package dev.bulwark.config;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A route setting that asks clients for a certificate, so that the HTTPS listener (shared by every
 * route) requests one in the handshake without requiring it; lets the listener ask without naming
 * the policy that verifies it.
 */
public interface ClientCertificateDemand {
  /** Returns whether this route asks clients for a certificate. */
  boolean requestsClientCertificate();

  /** Returns the CA certificates whose names the listener sends in its certificate request. */
  List<X509Certificate> acceptedIssuers();

  /** Returns the files whose change reloads the configuration (CA bundles, CRLs). */
  List<Path> watchedFiles();

  /** Returns the CAs of every route that asks for a client certificate, none when no route asks. */
  static List<X509Certificate> issuersOf(BulwarkConfig config) {
    Set<X509Certificate> out = new LinkedHashSet<>();
    for (RouteConfig r : config.routes()) {
      for (ClientCertificateDemand d : r.sections().all(ClientCertificateDemand.class)) {
        if (d.requestsClientCertificate()) {
          out.addAll(d.acceptedIssuers());
        }
      }
    }
    return new ArrayList<>(out);
  }

  /** Returns whether any route of the configuration asks for a client certificate. */
  static boolean anyRoute(BulwarkConfig config) {
    for (RouteConfig r : config.routes()) {
      for (ClientCertificateDemand d : r.sections().all(ClientCertificateDemand.class)) {
        if (d.requestsClientCertificate()) {
          return true;
        }
      }
    }
    return false;
  }

  /** Returns the files of every route's demand, for the configuration watcher. */
  static List<Path> filesOf(BulwarkConfig config) {
    Set<Path> out = new LinkedHashSet<>();
    for (RouteConfig r : config.routes()) {
      for (ClientCertificateDemand d : r.sections().all(ClientCertificateDemand.class)) {
        out.addAll(d.watchedFiles());
      }
    }
    return new ArrayList<>(out);
  }
}
