package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Stream;
import org.junit.jupiter.api.Test;

/**
 * Which error a frame on a stream the codec no longer holds deserves: a clean close and a skipped
 * id are connection errors, a reset stream (either side, however long ago) and a live half-closed
 * stream are left to the codec's stream error.
 */
class Http2StreamHistoryTest {
  private final Http2Connection connection = new DefaultHttp2Connection(true);
  private final Http2StreamHistory history = new Http2StreamHistory(new Http2FrameAdapter());

  private void open(int id, boolean thenClose) throws Exception {
    Http2Stream s = connection.remote().createStream(id, true);
    history.opened(id);
    if (thenClose) {
      s.close();
    }
  }

  @Test
  void aStreamThatEndedCleanlyIsStreamClosed() throws Exception {
    open(1, true);
    assertThat(history.connectionErrorFor(connection, 1)).isEqualTo(Http2Error.STREAM_CLOSED);
  }

  @Test
  void aSkippedIdIsAProtocolError() throws Exception {
    open(1, true);
    open(7, false);
    assertThat(history.connectionErrorFor(connection, 3)).isEqualTo(Http2Error.PROTOCOL_ERROR);
    assertThat(history.connectionErrorFor(connection, 5)).isEqualTo(Http2Error.PROTOCOL_ERROR);
    assertThat(history.connectionErrorFor(connection, 1)).isEqualTo(Http2Error.STREAM_CLOSED);
  }

  @Test
  void aLiveHalfClosedStreamAndAnIdNotYetUsedAreLeftToTheCodec() throws Exception {
    open(1, false);
    assertThat(history.connectionErrorFor(connection, 1)).isNull();
    assertThat(history.connectionErrorFor(connection, 3)).isNull();
    assertThat(history.connectionErrorFor(connection, 2)).isNull();
  }

  @Test
  void aResetStreamIsLeftToTheCodecEvenLongAfter() throws Exception {
    open(1, true);
    history.reset(1);
    assertThat(history.connectionErrorFor(connection, 1)).isNull();
    int id = 3;
    for (int i = 0; i < 3 * Http2StreamHistory.RESETS; i++, id += 2) {
      open(id, true);
      history.reset(id);
    }
    assertThat(history.connectionErrorFor(connection, 1)).as("forgotten, so doubted").isNull();
    assertThat(history.connectionErrorFor(connection, id - 2)).isNull();
    open(id, true);
    assertThat(history.connectionErrorFor(connection, id)).isEqualTo(Http2Error.STREAM_CLOSED);
  }
}
