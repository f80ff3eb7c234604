package dev.bulwark.demo;

import java.nio.file.Path;

/** Writes the configuration that {@code bulwark demo} runs: every policy on. */
public final class DemoConfig {
  private DemoConfig() {}

  /** Returns the demo's YAML for the given certificate, ports and upstream port. */
  public static String yaml(
      Path cert,
      Path key,
      int httpsPort,
      int httpPort,
      int adminPort,
      int upstreamPort,
      Path issuerKey) {
    return """
        # Written by `bulwark demo`: a working gateway with every policy on.
        listen:
          https: 127.0.0.1:%d
          http: 127.0.0.1:%d
          admin: 127.0.0.1:%d
        tls:
          cert: %s
          key: %s
        defaults:
          headers: strict
          errors: { mask-upstream-5xx: true }
          cors: { origins: [https://app.example.com], headers: [content-type] }
          limits: { body: 1MiB, header: 16KiB, timeout: 30s }
          rate-limit:
            - { name: per-ip-burst, key: ip, limit: 10, window: 1s, burst: 20 }
            - { name: per-ip-hourly, key: ip, limit: 3600, window: 1h }
        bans:
          rules:
            - { name: auth-failures, status: [401, 403], count: 20, window: 5m, ban: 15m, max-ban: 24h }
        auth:
          issuers:
            demo:
              issuer: %s
              audience: %s
              algorithms: [ES256]
              keys: %s
        routes:
          - name: demo-admin
            match: { path: /api/admin/** }
            upstream: http://127.0.0.1:%d
            auth: { require: [ "role:admin" ] }
          - name: demo-orgs
            match: { path: "/api/orgs/{org}/**" }
            upstream: http://127.0.0.1:%d
            auth: { require: [ "member-of:{org}" ] }
          - name: demo-api
            public: true
            match: { path: /api/** }
            upstream: http://127.0.0.1:%d
        """
        .formatted(
            httpsPort,
            httpPort,
            adminPort,
            cert,
            key,
            DemoIssuer.ISSUER,
            DemoIssuer.AUDIENCE,
            issuerKey,
            upstreamPort,
            upstreamPort,
            upstreamPort);
  }
}
