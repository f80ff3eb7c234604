package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.RawH2;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On HTTP/2 the host comes from {@code :authority}, or from {@code Host} when there is none (RFC
 * 9113 §8.3.1); a {@code Host} beside {@code :authority} must name the same host, in any spelling,
 * or the request gets a 400 with the JSON error body (Vert.x alone reset such a stream without an
 * answer, and also reset a same-host {@code Host} spelled in another case); repeated {@code Host}
 * headers are refused as on HTTP/1.1. The host-restricted route refuses every client, so reaching
 * it shows as 403.
 */
class Http2AuthorityTest {
  private static StubUpstream upstream;
  private static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    upstream = new StubUpstream();
    gw =
        TestGateway.start(
            """
            routes:
              - name: internal
                public: true
                match: { host: internal.example, path: /** }
                upstream: UPSTREAM
                ip-filter: { deny: [127.0.0.0/8] }
              - name: everything-else
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

  /** Sends one GET with {@code :authority} (if any) and Host headers, and returns the answer. */
  private static RawH2.Response get(@Nullable String authority, String... hosts) throws Exception {
    try (RawH2 c = RawH2.handshake(gw)) {
      Http2Headers h = new DefaultHttp2Headers(false);
      h.method("GET").scheme("https").path("/x");
      if (authority != null) {
        h.authority(authority);
      }
      for (String host : hosts) {
        h.add("host", host);
      }
      c.headers(1, true, c.block(h));
      return c.response(1);
    }
  }

  private static int status(@Nullable String authority, String... hosts) throws Exception {
    return get(authority, hosts).status();
  }

  @Test
  void hostAndAuthorityNamingDifferentHostsGet400WithTheJsonBody() throws Exception {
    RawH2.Response r = get("other.example", "internal.example");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).contains("\"status\":400", "\"requestId\"");
    assertThat(status("internal.example", "other.example")).isEqualTo(400);
    assertThat(status("internal.example", "internal.example:8443")).isEqualTo(400);
  }

  @Test
  void hostNamingTheAuthorityInAnotherSpellingIsTheSameHost() throws Exception {
    assertThat(status("internal.example", "INTERNAL.example.")).isEqualTo(403);
    assertThat(status("Internal.Example", "internal.example:443")).isEqualTo(403);
    assertThat(status("other.example", "other.example")).isEqualTo(200);
  }

  @Test
  void hostAloneNamesTheHost() throws Exception {
    assertThat(status(null, "internal.example")).isEqualTo(403);
    assertThat(status(null, "other.example")).isEqualTo(200);
  }

  @Test
  void authorityAloneNamesTheHost() throws Exception {
    assertThat(status("internal.example.")).isEqualTo(403);
    assertThat(status("other.example")).isEqualTo(200);
  }

  @Test
  void repeatedHostHeadersAreRefused() throws Exception {
    assertThat(status(null, "other.example", "internal.example")).isEqualTo(400);
    assertThat(status(null, "internal.example", "other.example")).isEqualTo(400);
    assertThat(status("other.example", "other.example", "other.example")).isEqualTo(400);
  }
}
