package dev.bulwark.audit.trail;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.bulwark.cli.CliRun;
import dev.bulwark.store.sealed.MasterKey;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A test gateway with a sealed audit trail: the files it starts from (a fresh master key, the data
 * directory the trail is written in, and the public JWKS of an ES256 issuer whose tokens its one
 * route asks for, so no token it is sent verifies), its configuration, and a search of its trail.
 */
record SealedTrailGateway(Path masterKey, Path data, Path trail, Path jwks) {

  /** Writes a master key and a JWKS in {@code dir}; the data directory is left for the gateway. */
  static SealedTrailGateway in(Path dir) throws Exception {
    Path masterKey = Files.writeString(dir.resolve("master.key"), MasterKey.generateText());
    Path data = dir.resolve("data");
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(
        jwks,
        new JWKSet(new ECKeyGenerator(Curve.P_256).keyID("k1").generate().toPublicJWK())
            .toString());
    return new SealedTrailGateway(masterKey, data, data.resolve("audit.log"), jwks);
  }

  /**
   * Returns the gateway's configuration: the store, the trail, {@code more}, the issuer and a route
   * to the upstream that needs its token. {@code more} follows the trail's {@code file} line, so an
   * indented line is a setting of the trail and an unindented one a section of its own.
   */
  String config(String more) {
    return """
        store:
          data-dir: %s
          master-key: ${file:%s}
        audit:
          file: %s
        %s
        auth:
          issuers:
            test:
              issuer: https://id.test.example/
              audience: api
              algorithms: [ES256]
              keys: [ %s ]
        routes:
          - name: api
            match: { path: /** }
            upstream: UPSTREAM
            auth: { require: authenticated }
        """
        .formatted(data, masterKey, trail, more.stripTrailing(), jwks);
  }

  /**
   * Runs {@code bulwark audit search} on the trail with the gateway's {@code configFile} and {@code
   * query}, as JSON; asserts that it succeeds and returns what it printed.
   */
  String searchJson(Path configFile, String... query) {
    List<String> args =
        new ArrayList<>(List.of("audit", "search", trail.toString(), "-c", configFile.toString()));
    args.addAll(List.of(query));
    args.add("--json");
    StringWriter found = new StringWriter();
    assertThat(CliRun.run(found, args.toArray(new String[0]))).as(found.toString()).isZero();
    return found.toString();
  }
}
