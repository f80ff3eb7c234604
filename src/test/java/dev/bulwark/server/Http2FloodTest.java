package dev.bulwark.server;

import static dev.bulwark.testing.RawH2.ENHANCE_YOUR_CALM;
import static dev.bulwark.testing.RawH2.GOAWAY;
import static dev.bulwark.testing.RawH2.PING;
import static dev.bulwark.testing.RawH2.PRIORITY;
import static dev.bulwark.testing.RawH2.SETTINGS;
import static dev.bulwark.testing.RawH2.WINDOW_UPDATE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.RawH2;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A raw HTTP/2 client that floods PING, SETTINGS, PRIORITY or WINDOW_UPDATE frames, or empty
 * frames, gets GOAWAY(ENHANCE_YOUR_CALM) and a closed connection once it passes the limit, instead
 * of an answer to every frame; one that stays under it keeps its connection.
 */
class Http2FloodTest {
  static StubUpstream upstream;
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    upstream = new StubUpstream();
    gw =
        TestGateway.start(
            """
            routes:
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

  /** What the server sent back: acknowledgements, the GOAWAY code, and whether it closed. */
  private record Answer(int pingAcks, int settingsAcks, long goAwayCode, boolean closed) {}

  private static Answer send(byte[] frames) throws Exception {
    try (RawH2 c = RawH2.connect(gw)) {
      c.write(frames);
      List<RawH2.Frame> got = c.readAll();
      int pingAcks = 0;
      int settingsAcks = 0;
      long goAway = -1;
      for (RawH2.Frame f : got) {
        if (f.type() == PING && (f.flags() & RawH2.ACK) != 0) {
          pingAcks++;
        } else if (f.type() == SETTINGS && (f.flags() & RawH2.ACK) != 0) {
          settingsAcks++;
        } else if (f.type() == GOAWAY) {
          goAway = f.errorCode();
        }
      }
      return new Answer(pingAcks, settingsAcks, goAway, c.closed());
    }
  }

  private static byte[] repeat(int type, int stream, byte[] payload, int count) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < count; i++) {
      out.writeBytes(RawH2.bytes(type, 0, stream, payload));
    }
    return out.toByteArray();
  }

  private static byte[] increment(int n) {
    return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
  }

  @Test
  void aPingFloodGetsGoAwayEnhanceYourCalmAndTheConnectionCloses() throws Exception {
    Answer a = send(repeat(PING, 0, new byte[8], 3 * Http2FloodLimit.MAX_PINGS));
    assertThat(a.goAwayCode()).isEqualTo(ENHANCE_YOUR_CALM);
    assertThat(a.closed()).isTrue();
    assertThat(a.pingAcks()).isLessThanOrEqualTo(Http2FloodLimit.MAX_PINGS + 2);
  }

  @Test
  void aSettingsFloodGetsGoAwayEnhanceYourCalmAndTheConnectionCloses() throws Exception {
    Answer a = send(repeat(SETTINGS, 0, new byte[0], 3 * Http2FloodLimit.MAX_SETTINGS));
    assertThat(a.goAwayCode()).isEqualTo(ENHANCE_YOUR_CALM);
    assertThat(a.closed()).isTrue();
    assertThat(a.settingsAcks()).isLessThanOrEqualTo(Http2FloodLimit.MAX_SETTINGS + 2);
  }

  @Test
  void pingsUnderTheLimitAreAnsweredAndTheConnectionStays() throws Exception {
    Answer a = send(repeat(PING, 0, new byte[8], 50));
    assertThat(a.pingAcks()).isEqualTo(50);
    assertThat(a.goAwayCode()).isEqualTo(-1);
    assertThat(a.closed()).isFalse();
  }

  @Test
  void aWindowUpdateFloodGetsGoAwayEnhanceYourCalmAndTheConnectionCloses() throws Exception {
    Answer a = send(repeat(WINDOW_UPDATE, 0, increment(1), 3 * Http2FloodLimit.MAX_WINDOW_UPDATES));
    assertThat(a.goAwayCode()).isEqualTo(ENHANCE_YOUR_CALM);
    assertThat(a.closed()).isTrue();
  }

  @Test
  void windowUpdatesUnderTheLimitKeepTheConnection() throws Exception {
    Answer a = send(repeat(WINDOW_UPDATE, 0, increment(1), Http2FloodLimit.MAX_WINDOW_UPDATES / 2));
    assertThat(a.goAwayCode()).isEqualTo(-1);
    assertThat(a.closed()).isFalse();
  }

  @Test
  void aPriorityFloodGetsGoAwayEnhanceYourCalmAndTheConnectionCloses() throws Exception {
    // PRIORITY on an idle stream is allowed (RFC 9113 section 5.1), and answered by nothing.
    byte[] weight = {0, 0, 0, 0, 15};
    Answer a = send(repeat(PRIORITY, 3, weight, 3 * Http2FloodLimit.MAX_PRIORITY));
    assertThat(a.goAwayCode()).isEqualTo(ENHANCE_YOUR_CALM);
    assertThat(a.closed()).isTrue();
  }

  @Test
  void prioritiesUnderTheLimitKeepTheConnection() throws Exception {
    byte[] weight = {0, 0, 0, 0, 15};
    Answer a = send(repeat(PRIORITY, 3, weight, Http2FloodLimit.MAX_PRIORITY / 2));
    assertThat(a.goAwayCode()).isEqualTo(-1);
    assertThat(a.closed()).isFalse();
  }

  @Test
  void emptyDataFramesOnAnOpenStreamEndTheConnection() throws Exception {
    try (RawH2 c = RawH2.handshake(gw)) {
      c.headers(1, false, c.block("POST", "/upload", "localhost", Map.of()));
      c.write(repeat(RawH2.DATA, 1, new byte[0], 200));
      assertThat(goAwayCode(c.readAll())).isEqualTo(ENHANCE_YOUR_CALM);
    }
  }

  @Test
  void emptyHeaderBlocksOnNewStreamsEndTheConnection() throws Exception {
    try (RawH2 c = RawH2.handshake(gw)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int i = 0; i < 1_000; i++) {
        out.writeBytes(RawH2.bytes(RawH2.HEADERS, RawH2.END_HEADERS, 1 + 2 * i, new byte[0]));
      }
      c.write(out.toByteArray());
      // Each is reset; past 200 resets in 30 s Netty sends GOAWAY(ENHANCE_YOUR_CALM) and closes
      // at once, so the GOAWAY may not be flushed first.
      long code = goAwayCode(c.readAll());
      assertThat(c.closed()).isTrue();
      assertThat(code == -1 || code == ENHANCE_YOUR_CALM).as("GOAWAY code %s", code).isTrue();
    }
  }

  @Test
  void emptyContinuationFramesEndTheConnection() throws Exception {
    try (RawH2 c = RawH2.handshake(gw)) {
      byte[] block = c.block("GET", "/x", "localhost", Map.of());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(RawH2.bytes(RawH2.HEADERS, RawH2.END_STREAM, 1, block));
      out.writeBytes(repeat(RawH2.CONTINUATION, 1, new byte[0], 200));
      c.write(out.toByteArray());
      assertThat(goAwayCode(c.readAll())).isEqualTo(ENHANCE_YOUR_CALM);
    }
  }

  private static long goAwayCode(List<RawH2.Frame> frames) {
    return frames.stream()
        .filter(f -> f.type() == GOAWAY)
        .mapToLong(RawH2.Frame::errorCode)
        .findFirst()
        .orElse(-1);
  }
}
