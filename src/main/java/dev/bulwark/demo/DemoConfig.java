package dev.bulwark.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the configuration that {@code bulwark demo} runs: every policy on. */
public final class DemoConfig {
  private DemoConfig() {}

  /** The name of the demo's OpenAPI contract file, written beside its configuration. */
  public static final String CONTRACT_FILE = "demo-openapi.yaml";

  /**
   * The contract of {@code POST /api/echo}: a small JSON object with two bounded fields and nothing
   * else (lint-clean: every string, number and object is bounded).
   */
  static final String CONTRACT =
      """
      openapi: 3.1.0
      info: { title: Bulwark demo echo, version: "1" }
      paths:
        /api/echo:
          post:
            requestBody:
              required: true
              content:
                application/json:
                  schema:
                    type: object
                    additionalProperties: false
                    maxProperties: 2
                    properties:
                      hi: { type: integer, minimum: 0, maximum: 1000 }
                      message: { type: string, maxLength: 200 }
            responses:
              "200": { description: the body, echoed }
      """;

  /** Writes the demo's contract into {@code dir} and returns its path. */
  public static Path writeContract(Path dir) throws IOException {
    Path file = dir.resolve(CONTRACT_FILE);
    Files.writeString(file, CONTRACT, StandardCharsets.UTF_8);
    return file;
  }

  /** Returns the demo's YAML for the given certificate, ports and upstream port. */
  public static String yaml(
      Path cert,
      Path key,
      int httpsPort,
      int httpPort,
      int adminPort,
      int upstreamPort,
      Path issuerKey,
      Path contract) {
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
          cors: { origins: [https://app.example.com], headers: [content-type, authorization] }
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
          - name: demo-echo
            public: true
            match: { path: /api/echo, methods: [POST] }
            upstream: http://127.0.0.1:%d
            contract: %s
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
            upstreamPort,
            contract,
            upstreamPort);
  }
}
