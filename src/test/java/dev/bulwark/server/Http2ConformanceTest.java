package dev.bulwark.server;

import static dev.bulwark.testing.RawH2.CONTINUATION;
import static dev.bulwark.testing.RawH2.DATA;
import static dev.bulwark.testing.RawH2.END_HEADERS;
import static dev.bulwark.testing.RawH2.END_STREAM;
import static dev.bulwark.testing.RawH2.FRAME_SIZE_ERROR;
import static dev.bulwark.testing.RawH2.GOAWAY;
import static dev.bulwark.testing.RawH2.HEADERS;
import static dev.bulwark.testing.RawH2.PING;
import static dev.bulwark.testing.RawH2.PROTOCOL_ERROR;
import static dev.bulwark.testing.RawH2.RST_STREAM;
import static dev.bulwark.testing.RawH2.SETTINGS;
import static dev.bulwark.testing.RawH2.STREAM_CLOSED;
import static dev.bulwark.testing.RawH2.WINDOW_UPDATE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.RawH2;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP/2 error codes RFC 9113 requires, checked with a raw client the way h2spec checks them
 * (h2spec is not installable here): a frame on a stream that ended, or on a lower stream id than
 * one already opened, ends the connection; a frame on a half-closed or reset stream only resets
 * that stream, so a client whose DATA was in flight when the gateway answered early keeps its
 * connection; malformed frames get the connection error their section names.
 */
class Http2ConformanceTest {
  static StubUpstream upstream;
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    upstream = new StubUpstream();
    gw =
        TestGateway.start(
            """
            routes:
              - name: small
                public: true
                match: { path: /small/** }
                upstream: UPSTREAM
                limits: { body: 1KiB }
              - name: api
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

  private static long goAway(List<RawH2.Frame> frames) {
    return frames.stream()
        .filter(f -> f.type() == GOAWAY)
        .mapToLong(RawH2.Frame::errorCode)
        .findFirst()
        .orElse(-1);
  }

  private static long reset(List<RawH2.Frame> frames, int stream) {
    return frames.stream()
        .filter(f -> f.type() == RST_STREAM && f.stream() == stream)
        .mapToLong(RawH2.Frame::errorCode)
        .findFirst()
        .orElse(-1);
  }

  /** Sends a GET on {@code stream} and reads its whole answer. */
  private static RawH2.Response completed(RawH2 c, int stream) throws Exception {
    c.get(stream, "/x");
    RawH2.Response r = c.response(stream);
    assertThat(r.status()).isEqualTo(200);
    return r;
  }

  /** The connection still serves requests: a GET on {@code stream} is answered. */
  private static void stillServes(RawH2 c, int stream) throws Exception {
    c.get(stream, "/after");
    assertThat(c.response(stream).status()).isEqualTo(200);
  }

  @Test
  void dataOnAStreamThatEndedIsAConnectionErrorStreamClosed() throws Exception {
    // h2spec 5.1/11; RFC 9113 section 5.1, "closed"
    try (RawH2 c = RawH2.handshake(gw)) {
      completed(c, 1);
      c.frame(DATA, END_STREAM, 1, "late".getBytes(StandardCharsets.US_ASCII));
      List<RawH2.Frame> frames = c.readAll();
      assertThat(goAway(frames)).isEqualTo(STREAM_CLOSED);
      assertThat(c.closed()).isTrue();
    }
  }

  @Test
  void headersOnAStreamThatEndedIsAConnectionErrorStreamClosed() throws Exception {
    // h2spec 5.1/12
    try (RawH2 c = RawH2.handshake(gw)) {
      completed(c, 1);
      c.get(1, "/again");
      List<RawH2.Frame> frames = c.readAll();
      assertThat(goAway(frames)).isEqualTo(STREAM_CLOSED);
      assertThat(c.closed()).isTrue();
    }
  }

  @Test
  void aStreamIdLowerThanOneAlreadyOpenedIsAConnectionErrorProtocolError() throws Exception {
    // h2spec 5.1.1/2: stream 5, then stream 3 (implicitly closed when 5 was opened)
    try (RawH2 c = RawH2.handshake(gw)) {
      c.get(5, "/five");
      c.get(3, "/three");
      List<RawH2.Frame> frames = c.readAll();
      assertThat(goAway(frames)).isEqualTo(PROTOCOL_ERROR);
      assertThat(c.closed()).isTrue();
    }
  }

  @Test
  void aLowerStreamIdAfterOneThatEndedIsAConnectionErrorToo() throws Exception {
    try (RawH2 c = RawH2.handshake(gw)) {
      completed(c, 5);
      c.get(1, "/one");
      assertThat(goAway(c.readAll())).isEqualTo(PROTOCOL_ERROR);
    }
  }

  @Test
  void headersOnAHalfClosedStreamOnlyResetThatStream() throws Exception {
    // h2spec 5.1/6: half-closed (remote) is a stream error STREAM_CLOSED, not a connection error
    try (RawH2 c = RawH2.handshake(gw)) {
      byte[] block = c.block("GET", "/x", "localhost", Map.of());
      byte[] again = c.block("GET", "/x", "localhost", Map.of());
      c.write(
          concat(
              RawH2.bytes(HEADERS, END_HEADERS | END_STREAM, 1, block),
              RawH2.bytes(HEADERS, END_HEADERS | END_STREAM, 1, again)));
      List<RawH2.Frame> frames = c.readAll();
      assertThat(goAway(frames)).isEqualTo(-1);
      assertThat(reset(frames, 1)).isEqualTo(STREAM_CLOSED);
      stillServes(c, 3);
    }
  }

  @Test
  void dataAfterTheClientResetAStreamIsOnlyAStreamError() throws Exception {
    // h2spec 5.1/8
    try (RawH2 c = RawH2.handshake(gw)) {
      c.headers(1, false, c.block("POST", "/x", "localhost", Map.of()));
      c.frame(RST_STREAM, 0, 1, new byte[] {0, 0, 0, 8});
      c.frame(DATA, END_STREAM, 1, "late".getBytes(StandardCharsets.US_ASCII));
      stillServes(c, 3);
    }
  }

  @Test
  void dataInFlightWhenTheGatewayAnsweredEarlyKeepsTheConnection() throws Exception {
    // 413 for a declared length over the route's limit, then RST_STREAM(NO_ERROR); the client's
    // DATA frames already sent arrive on a stream the gateway reset.
    try (RawH2 c = RawH2.handshake(gw)) {
      c.headers(
          1, false, c.block("POST", "/small/up", "localhost", Map.of("content-length", "9000")));
      RawH2.Response r = c.response(1);
      assertThat(r.status()).isEqualTo(413);
      for (int i = 0; i < 4; i++) {
        c.frame(DATA, 0, 1, new byte[1000]);
      }
      c.frame(DATA, END_STREAM, 1, new byte[1000]);
      stillServes(c, 3);
    }
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static Stream<Arguments> malformed() {
    byte[] four = {0, 0, 0, 1};
    return Stream.of(
        Arguments.of(
            "DATA on an idle stream (5.1/1)", RawH2.bytes(DATA, 0, 1, four), PROTOCOL_ERROR),
        Arguments.of(
            "RST_STREAM on an idle stream (5.1/2)",
            RawH2.bytes(RST_STREAM, 0, 1, new byte[] {0, 0, 0, 8}),
            PROTOCOL_ERROR),
        Arguments.of(
            "WINDOW_UPDATE on an idle stream (5.1/3)",
            RawH2.bytes(WINDOW_UPDATE, 0, 1, four),
            PROTOCOL_ERROR),
        Arguments.of(
            "CONTINUATION with no HEADERS before it (5.1/4)",
            RawH2.bytes(CONTINUATION, END_HEADERS, 1, new byte[0]),
            PROTOCOL_ERROR),
        Arguments.of(
            "HEADERS on an even stream id (5.1.1/1)",
            RawH2.bytes(HEADERS, END_HEADERS | END_STREAM, 2, new byte[] {(byte) 0x82}),
            PROTOCOL_ERROR),
        Arguments.of("DATA on stream 0 (6.1/1)", RawH2.bytes(DATA, 0, 0, four), PROTOCOL_ERROR),
        Arguments.of(
            "HEADERS on stream 0 (6.2/2)",
            RawH2.bytes(HEADERS, END_HEADERS, 0, new byte[] {(byte) 0x82}),
            PROTOCOL_ERROR),
        Arguments.of(
            "RST_STREAM on stream 0 (6.4/2)",
            RawH2.bytes(RST_STREAM, 0, 0, new byte[] {0, 0, 0, 8}),
            PROTOCOL_ERROR),
        Arguments.of(
            "SETTINGS on stream 1 (6.5/2)",
            RawH2.bytes(SETTINGS, 0, 1, new byte[0]),
            PROTOCOL_ERROR),
        Arguments.of(
            "SETTINGS of 3 octets (6.5/3)",
            RawH2.bytes(SETTINGS, 0, 0, new byte[3]),
            FRAME_SIZE_ERROR),
        Arguments.of(
            "SETTINGS_ENABLE_PUSH of 2 (6.5.2/1)",
            RawH2.bytes(SETTINGS, 0, 0, new byte[] {0, 2, 0, 0, 0, 2}),
            PROTOCOL_ERROR),
        Arguments.of(
            "PING on stream 1 (6.7/3)", RawH2.bytes(PING, 0, 1, new byte[8]), PROTOCOL_ERROR),
        Arguments.of(
            "PING of 6 octets (6.7/4)", RawH2.bytes(PING, 0, 0, new byte[6]), FRAME_SIZE_ERROR),
        Arguments.of(
            "GOAWAY on stream 1 (6.8/1)", RawH2.bytes(GOAWAY, 0, 1, new byte[8]), PROTOCOL_ERROR),
        Arguments.of(
            "WINDOW_UPDATE of 0 on the connection (6.9/1)",
            RawH2.bytes(WINDOW_UPDATE, 0, 0, new byte[4]),
            PROTOCOL_ERROR),
        Arguments.of(
            "a frame over SETTINGS_MAX_FRAME_SIZE (4.2/3)",
            RawH2.bytes(DATA, 0, 1, new byte[16_385]),
            FRAME_SIZE_ERROR));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void aMalformedFrameIsTheConnectionErrorItsSectionNames(String name, byte[] frame, long code)
      throws Exception {
    try (RawH2 c = RawH2.handshake(gw)) {
      c.write(frame);
      List<RawH2.Frame> frames = c.readAll();
      assertThat(goAway(frames)).as(name).isEqualTo(code);
      assertThat(c.closed()).as(name).isTrue();
    }
  }

  @Test
  void aBadPrefaceClosesTheConnection() throws Exception {
    try (RawH2 c = RawH2.open(gw)) {
      c.write("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      c.frame(SETTINGS, 0, 0, new byte[0]);
      List<RawH2.Frame> frames = c.readAll();
      assertThat(c.closed()).isTrue();
      long code = goAway(frames);
      assertThat(code == -1 || code == PROTOCOL_ERROR).as("GOAWAY code %s", code).isTrue();
    }
  }
}
