package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.fixture.Fixture;
import dev.bulwark.fixture.FixtureFile;
import dev.bulwark.fixture.FixtureResult;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.server.OfflineGateway;
import dev.bulwark.server.SelfSignedCertificate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixtures {@code bulwark demo} writes pass against the configuration it writes. */
class DemoFixturesTest {
  @Test
  void theDemoFixturesPassAgainstTheDemoConfiguration(@TempDir Path dir) throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.generate(dir, List.of("localhost"));
    DemoIssuer.generate(dir);
    DemoConfig.writeSigningKey(dir);
    Path config = dir.resolve("bulwark.yaml");
    Files.writeString(
        config,
        DemoConfig.yaml(
            cert.certFile(),
            cert.keyFile(),
            0,
            0,
            0,
            3000,
            dir.resolve(DemoIssuer.PUBLIC_FILE),
            DemoConfig.writeContract(dir)),
        StandardCharsets.UTF_8);
    BulwarkConfig loaded =
        dev.bulwark.endpoint.EndpointCatalog.standard()
            .loader(PolicyCatalog.standard(), new SecretResolver(k -> null))
            .load(config)
            .config();
    List<Fixture> fixtures =
        FixtureFile.read(DemoConfig.writeFixtures(dir), new HashSet<>(OfflineGateway.stageNames()));
    assertThat(fixtures).hasSizeGreaterThanOrEqualTo(10);
    try (OfflineGateway gateway = OfflineGateway.compile(loaded)) {
      for (Fixture f : fixtures) {
        FixtureResult r = FixtureResult.run(f, gateway);
        assertThat(r.differences())
            .as(f.name() + "\n" + String.join("\n", r.observed().trace()))
            .isEmpty();
      }
    }
  }
}
