package dev.bulwark.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the configuration that {@code bulwark demo} runs: every policy on. */
public final class DemoConfig {
  private DemoConfig() {}

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

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

  /**
   * The name of the HMAC secret that the demo's signed route verifies (and {@code bulwark sign}
   * signs with), written beside its contract: random for each run.
   */
  public static final String SIGNING_KEY_FILE = "demo-signing.key";

  /** The key id of the demo's signing key. */
  public static final String SIGNING_KEY_ID = "demo-client";

  /** The name of the demo's {@code bulwark test} fixtures, written beside its configuration. */
  public static final String FIXTURES_FILE = "demo-tests.yaml";

  /**
   * What the demo's configuration decides, as {@code bulwark test} fixtures: one per policy the
   * demo turns on (the test suite runs them against the configuration {@link #yaml} writes).
   */
  static final String FIXTURES =
      """
      # Written by `bulwark demo`: run with ./bulwark test -c bulwark.yaml demo-tests.yaml
      tests:
        - name: the admin API needs a token
          request: { path: /api/admin/stats }
          expect: { status: 401, stage: authn, present: [www-authenticate] }
        - name: an admin reads the admin API
          request: { path: /api/admin/stats, caller: { subject: ada, roles: [admin] } }
          expect: { status: 200, decision: forwarded, route: demo-admin }
        - name: organisation data only for members
          request: { path: /api/orgs/globex/orders, caller: { subject: ada, organisations: [acme] } }
          expect: { status: 403, stage: authz, route: demo-orgs }
        - name: a spelling in other letter case does not reach the public route
          request: { path: /api/ADMIN/stats }
          expect: { status: 400, stage: routing }
        - name: the echo contract refuses unknown fields
          request:
            method: POST
            path: /api/echo
            headers: { content-type: application/json }
            body: '{"hi":1,"admin":true}'
          expect: { status: 400, stage: contract }
        - name: the echo contract lets a valid body through
          request:
            method: POST
            path: /api/echo
            headers: { content-type: application/json }
            body: '{"hi":1}'
          expect: { status: 200, decision: forwarded, route: demo-echo }
        - name: strict security headers and no banner
          request: { path: /api/hello, upstream: { status: 200, headers: { server: demo/1.0 } } }
          expect:
            status: 200
            headers: { x-frame-options: DENY, x-content-type-options: nosniff }
            absent: [server]
        - name: an upstream 500 is masked
          request: { path: /api/boom, upstream: { status: 500 } }
          expect: { status: 500, route: demo-api }
        - name: the browser app's preflight is answered at the edge
          request:
            method: OPTIONS
            path: /api/hello
            headers: { origin: https://app.example.com, access-control-request-method: GET }
          expect: { status: 204, decision: answered, stage: cors }
        - name: a payment without an Idempotency-Key is refused
          request:
            method: POST
            path: /api/payments
            headers: { content-type: application/json }
            body: '{"amount":5}'
          expect: { status: 400, stage: idempotency }
        - name: an unsigned request to the signed route is refused
          request: { path: /api/signed/hello }
          expect: { status: 401, stage: authn }
        - name: a burst over 20 requests a second is limited
          repeat: 21
          request: { path: /api/hello, client: 203.0.113.50 }
          expect: { status: 429, stage: rate-limit, present: [retry-after] }
      """;

  /** Writes the demo's fixtures into {@code dir} and returns their path. */
  public static Path writeFixtures(Path dir) throws IOException {
    Path file = dir.resolve(FIXTURES_FILE);
    Files.writeString(file, FIXTURES, StandardCharsets.UTF_8);
    return file;
  }

  /** Writes a new random signing key into {@code dir} (owner-only) and returns its path. */
  public static Path writeSigningKey(Path dir) throws IOException {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    Path file = dir.resolve(SIGNING_KEY_FILE);
    Files.deleteIfExists(file);
    try {
      Files.createFile(
          file,
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    }
    Files.writeString(
        file,
        java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(secret),
        StandardCharsets.US_ASCII);
    return file;
  }

  /** Writes the demo's contract into {@code dir} and returns its path. */
  public static Path writeContract(Path dir) throws IOException {
    Path file = dir.resolve(CONTRACT_FILE);
    Files.writeString(file, CONTRACT, StandardCharsets.UTF_8);
    return file;
  }

  /**
   * Returns the demo's YAML with its mutual-TLS route, whose clients' CA bundle is {@code clientCa}
   * (see {@link DemoClientCertificates}).
   */
  public static String yaml(
      Path cert,
      Path key,
      int httpsPort,
      int httpPort,
      int adminPort,
      int upstreamPort,
      Path issuerKey,
      Path contract,
      Path clientCa) {
    String base =
        yaml(cert, key, httpsPort, httpPort, adminPort, upstreamPort, issuerKey, contract);
    String mtls =
        """
          - name: demo-mtls
            match: { path: /api/mtls/** }
            upstream: http://127.0.0.1:%d
            client-cert:
              mode: required
              ca: %s
              allow: { san-uri: ["spiffe://demo.bulwark.local/ns/demo/sa/*"] }
            auth: { require: [ "san-uri:%s" ] }
        """
            .formatted(upstreamPort, clientCa, DemoClientCertificates.CLIENT_ID);
    // before demo-api, whose /api/** would take its requests
    return base.replace("  - name: demo-api\n", mtls + "  - name: demo-api\n");
  }

  /**
   * Returns the demo's YAML for the given certificate, ports and upstream port. The demo's files
   * lie in one directory: the signed route reads {@link #SIGNING_KEY_FILE} beside {@code contract}
   * ({@link #writeSigningKey}).
   */
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
        identity:
          tokens: { issuer: "https://localhost", audience: demo-api }
        auth:
          issuers:
            demo:
              issuer: %s
              audience: %s
              algorithms: [ES256]
              keys: %s
            bulwark: { self: true }
        routes:
          - name: demo-login
            match: { path: "/auth/**" }
            serve: login
          - name: demo-me
            match: { path: /api/me }
            upstream: http://127.0.0.1:%9$d
            auth: { issuers: [bulwark], require: [authenticated] }
          - name: demo-step-up
            match: { path: /api/step-up }
            upstream: http://127.0.0.1:%9$d
            auth: { issuers: [bulwark], require: [mfa] }
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
          - name: demo-payments
            public: true
            match: { path: /api/payments, methods: [POST] }
            upstream: http://127.0.0.1:%d
            idempotency: { retention: 1h }
          - name: demo-signed
            match: { path: /api/signed/** }
            upstream: http://127.0.0.1:%d
            auth:
              require: [authenticated]
              signature:
                keys: [{ id: %s, alg: hmac-sha256, key: "${file:%s}" }]
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
            upstreamPort,
            upstreamPort,
            SIGNING_KEY_ID,
            contract.resolveSibling(SIGNING_KEY_FILE),
            upstreamPort);
  }

  /** The demo's master key file (kept across runs with the same {@code --dir}). */
  public static final String MASTER_KEY_FILE = "demo-master.key";

  /** The demo's admin token file (a new token each run). */
  public static final String ADMIN_TOKEN_FILE = "demo-admin.token";

  /** The demo's data directory (bans, accounts, the audit trail and its signing key). */
  public static final String DATA_DIR = "data";

  /** The demo's audit trail, in its data directory. */
  public static final String AUDIT_FILE = "audit.log";

  /** The public key that signs the trail's checkpoints, written by the gateway in the data dir. */
  public static final String AUDIT_PUBLIC_KEY_FILE = "audit-signing.pub";

  /**
   * Writes a master key into {@code dir} (owner-only) unless one is there from an earlier run
   * (whose data directory it opens), and returns its path.
   */
  public static Path writeMasterKey(Path dir) throws IOException {
    Path file = dir.resolve(MASTER_KEY_FILE);
    if (!Files.exists(file)) {
      createOwnerOnly(file);
      Files.writeString(
          file, dev.bulwark.store.sealed.MasterKey.generateText(), StandardCharsets.US_ASCII);
    }
    return file;
  }

  /** Writes a new random admin token into {@code dir} (owner-only) and returns it. */
  public static String writeAdminToken(Path dir) throws IOException {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String token = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    Path file = dir.resolve(ADMIN_TOKEN_FILE);
    Files.deleteIfExists(file);
    createOwnerOnly(file);
    Files.writeString(file, token, StandardCharsets.US_ASCII);
    return token;
  }

  private static void createOwnerOnly(Path file) throws IOException {
    try {
      Files.createFile(
          file,
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    }
  }

  /**
   * Returns {@code yaml} with the admin token of {@link #writeAdminToken}, an encrypted data
   * directory under {@code dir} sealed by {@link #writeMasterKey}, and an audit trail in it: every
   * security event the demo sees is sealed, hash-chained and signed ({@code bulwark audit verify}),
   * and the dashboard asks for the token.
   */
  public static String withAuditAndAdmin(String yaml, Path dir) {
    Path data = dir.resolve(DATA_DIR);
    return yaml
        + """
        admin: { token: "${file:%s}" }
        store:
          data-dir: %s
          master-key: "${file:%s}"
        audit:
          file: %s
        """
            .formatted(
                dir.resolve(ADMIN_TOKEN_FILE),
                data,
                dir.resolve(MASTER_KEY_FILE),
                data.resolve(AUDIT_FILE));
  }
}
