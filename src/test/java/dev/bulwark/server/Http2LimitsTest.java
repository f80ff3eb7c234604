package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every request limit holds on HTTP/2 as on HTTP/1.1 (issue 16, item 1): an overlong target is 414,
 * a header block over the limit or too many header fields is 431, each with the JSON error, and
 * nothing reaches the upstream. Driven with curl, whose HTTP/2 client (nghttp2) sends what it is
 * told rather than enforcing the server's advertised limits the way the JDK client does.
 */
class Http2LimitsTest {
  private static StubUpstream upstream;
  private static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    upstream = new StubUpstream();
    gw =
        TestGateway.start(
            """
            defaults:
              limits: { uri: 1KiB, header: 4KiB, header-count: 20 }
            routes:
              - name: all
                public: true
                match: { path: /** }
                upstream: UPSTREAM
            """,
            upstream.port());
  }

  @AfterAll
  static void stop() {
    gw.close();
    upstream.close();
  }

  @org.junit.jupiter.api.BeforeEach
  void drain() throws Exception {
    while (upstream.poll(50) != null) {
      // requests of an earlier test
    }
  }

  /** Runs curl and returns "STATUS BODY" (status 000 when no response arrived). */
  private static String curl(String version, String path, List<String> headers) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sk", version, "--max-time", "10"));
    cmd.addAll(List.of("-w", " %{http_code}", "-o", "-"));
    for (String h : headers) {
      cmd.addAll(List.of("-H", h));
    }
    cmd.add(gw.url(path));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(20, TimeUnit.SECONDS);
    int at = out.lastIndexOf(' ');
    return out.substring(at + 1) + " " + out.substring(0, Math.max(0, at));
  }

  @ParameterizedTest
  @ValueSource(strings = {"--http1.1", "--http2"})
  void anOverlongTargetIs414(String version) throws Exception {
    String r = curl(version, "/a/" + "x".repeat(2000), List.of());
    assertThat(r).startsWith("414 ").contains("\"status\":414", "\"requestId\"");
    assertThat(upstream.poll(200)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"--http1.1", "--http2"})
  void anOverlongQueryCountsToo(String version) throws Exception {
    String r = curl(version, "/a?q=" + "x".repeat(2000), List.of());
    assertThat(r).startsWith("414 ");
    assertThat(upstream.poll(200)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"--http1.1", "--http2"})
  void anOversizedHeaderBlockIs431(String version) throws Exception {
    String r = curl(version, "/a", List.of("X-Big: " + "y".repeat(4400)));
    assertThat(r).startsWith("431 ");
    assertThat(upstream.poll(200)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"--http1.1", "--http2"})
  void aFarOversizedHeaderBlockNeverReachesTheUpstream(String version) throws Exception {
    // HTTP/1.1 answers 431 and closes (a client still sending may see the reset first); Netty's
    // HTTP/2 decoder ends the connection (GOAWAY) past 1.25x the limit.
    String r = curl(version, "/a", List.of("X-Big: " + "y".repeat(60_000)));
    assertThat(r).matches("(431|000) .*");
    assertThat(upstream.poll(200)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"--http1.1", "--http2"})
  void tooManyHeaderFieldsIs431(String version) throws Exception {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      many.add("X-H" + i + ": v");
    }
    String r = curl(version, "/a", many);
    assertThat(r).startsWith("431 ").contains("\"status\":431");
    assertThat(upstream.poll(200)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"--http1.1", "--http2"})
  void aRequestWithinTheLimitsIsForwarded(String version) throws Exception {
    String r = curl(version, "/a/" + "x".repeat(900), List.of("X-Ok: " + "y".repeat(1000)));
    assertThat(r).startsWith("200 ");
    assertThat(upstream.next().uri()).startsWith("/a/xxx");
  }
}
