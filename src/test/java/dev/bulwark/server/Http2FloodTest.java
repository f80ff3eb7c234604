package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A raw HTTP/2 client that floods PING or SETTINGS frames gets GOAWAY(ENHANCE_YOUR_CALM) and a
 * closed connection once it passes the limit, instead of an answer to every frame; one that stays
 * under it keeps its connection.
 */
class Http2FloodTest {
  private static final int PING = 0x6;
  private static final int SETTINGS = 0x4;
  private static final int GOAWAY = 0x7;
  private static final long ENHANCE_YOUR_CALM = 0xb;

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

  /**
   * What the server sent back: PING and SETTINGS acknowledgements, GOAWAY, and whether it closed.
   */
  private record Answer(int pingAcks, int settingsAcks, long goAwayCode, boolean closed) {}

  private static SSLSocket h2Socket() throws Exception {
    SSLContext any = SSLContext.getInstance("TLS");
    any.init(
        null,
        new TrustManager[] {
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
              return new java.security.cert.X509Certificate[0];
            }
          }
        },
        null);
    SSLSocket s = (SSLSocket) any.getSocketFactory().createSocket("127.0.0.1", gw.httpsPort());
    SSLParameters p = s.getSSLParameters();
    p.setApplicationProtocols(new String[] {"h2"});
    s.setSSLParameters(p);
    s.setSoTimeout(3000);
    s.startHandshake();
    assertThat(s.getApplicationProtocol()).isEqualTo("h2");
    return s;
  }

  private static void frame(ByteArrayOutputStream out, int type, int flags, byte[] payload) {
    out.write(payload.length >>> 16);
    out.write(payload.length >>> 8);
    out.write(payload.length);
    out.write(type);
    out.write(flags);
    out.writeBytes(new byte[4]); // stream 0
    out.writeBytes(payload);
  }

  /** Opens a connection, sends the preface, then {@code count} frames of {@code type}. */
  private static Answer flood(int type, int count) throws Exception {
    try (SSLSocket s = h2Socket()) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      bytes.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      frame(bytes, SETTINGS, 0, new byte[0]);
      for (int i = 0; i < count; i++) {
        frame(bytes, type, 0, type == PING ? new byte[8] : new byte[0]);
      }
      OutputStream out = s.getOutputStream();
      try {
        out.write(bytes.toByteArray());
        out.flush();
      } catch (IOException e) {
        // closed by the server part way: what it sent is still read below
      }
      DataInputStream in = new DataInputStream(s.getInputStream());
      int pingAcks = 0;
      int settingsAcks = 0;
      long goAway = -1;
      boolean closed = false;
      try {
        while (true) {
          int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
          int t = in.readUnsignedByte();
          int flags = in.readUnsignedByte();
          in.readInt();
          byte[] payload = new byte[length];
          in.readFully(payload);
          if (t == PING && (flags & 1) != 0) {
            pingAcks++;
          } else if (t == SETTINGS && (flags & 1) != 0) {
            settingsAcks++;
          } else if (t == GOAWAY) {
            goAway =
                ((payload[4] & 0xffL) << 24)
                    | ((payload[5] & 0xff) << 16)
                    | ((payload[6] & 0xff) << 8)
                    | (payload[7] & 0xff);
          }
        }
      } catch (EOFException e) {
        closed = true;
      } catch (SocketTimeoutException e) {
        closed = false;
      } catch (IOException e) {
        closed = true; // reset after GOAWAY
      }
      return new Answer(pingAcks, settingsAcks, goAway, closed);
    }
  }

  @Test
  void aPingFloodGetsGoAwayEnhanceYourCalmAndTheConnectionCloses() throws Exception {
    Answer a = flood(PING, 3 * Http2FloodLimit.MAX_PINGS);
    assertThat(a.goAwayCode()).isEqualTo(ENHANCE_YOUR_CALM);
    assertThat(a.closed()).isTrue();
    assertThat(a.pingAcks()).isLessThanOrEqualTo(Http2FloodLimit.MAX_PINGS + 2);
  }

  @Test
  void aSettingsFloodGetsGoAwayEnhanceYourCalmAndTheConnectionCloses() throws Exception {
    Answer a = flood(SETTINGS, 3 * Http2FloodLimit.MAX_SETTINGS);
    assertThat(a.goAwayCode()).isEqualTo(ENHANCE_YOUR_CALM);
    assertThat(a.closed()).isTrue();
    assertThat(a.settingsAcks()).isLessThanOrEqualTo(Http2FloodLimit.MAX_SETTINGS + 2);
  }

  @Test
  void pingsUnderTheLimitAreAnsweredAndTheConnectionStays() throws Exception {
    Answer a = flood(PING, 50);
    assertThat(a.pingAcks()).isEqualTo(50);
    assertThat(a.goAwayCode()).isEqualTo(-1);
    assertThat(a.closed()).isFalse();
  }
}
