package dev.bulwark.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/**
 * A raw HTTP/2 client over TLS for hostile-protocol tests: writes any frame, in any order, on any
 * stream, and reads back every frame the server sends (GOAWAY, RST_STREAM, responses), so a test
 * can tell a stream error from a connection error. Header blocks are HPACK-coded with Netty's
 * coder.
 */
public final class RawH2 implements AutoCloseable {
  public static final int DATA = 0x0;
  public static final int HEADERS = 0x1;
  public static final int PRIORITY = 0x2;
  public static final int RST_STREAM = 0x3;
  public static final int SETTINGS = 0x4;
  public static final int PING = 0x6;
  public static final int GOAWAY = 0x7;
  public static final int WINDOW_UPDATE = 0x8;
  public static final int CONTINUATION = 0x9;

  public static final int END_STREAM = 0x1;
  public static final int ACK = 0x1;
  public static final int END_HEADERS = 0x4;

  public static final long NO_ERROR = 0x0;
  public static final long PROTOCOL_ERROR = 0x1;
  public static final long FRAME_SIZE_ERROR = 0x6;
  public static final long STREAM_CLOSED = 0x5;
  public static final long ENHANCE_YOUR_CALM = 0xb;

  /** One frame as read from the server; {@code headers} is the decoded block of a HEADERS frame. */
  @SuppressWarnings("ArrayRecordComponent") // the payload as read, never compared
  public record Frame(
      int type, int flags, int stream, byte[] payload, @Nullable Http2Headers headers) {
    /** The error code of a GOAWAY or RST_STREAM frame. */
    public long errorCode() {
      int at = type == GOAWAY ? 4 : 0;
      return ((payload[at] & 0xffL) << 24)
          | ((payload[at + 1] & 0xff) << 16)
          | ((payload[at + 2] & 0xff) << 8)
          | (payload[at + 3] & 0xff);
    }
  }

  /** An answer on one stream: status, headers, body, and the reset code if it was reset. */
  public record Response(
      int status, @Nullable Http2Headers headers, String body, long resetCode, long goAwayCode) {}

  private final SSLSocket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
  private boolean closed;

  private RawH2(SSLSocket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = new DataInputStream(socket.getInputStream());
  }

  /** Connects with ALPN {@code h2} and sends the client preface and an empty SETTINGS frame. */
  public static RawH2 connect(TestGateway gw) throws Exception {
    RawH2 c = open(gw);
    c.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    c.frame(SETTINGS, 0, 0, new byte[0]);
    return c;
  }

  /** Connects with ALPN {@code h2} and sends nothing yet. */
  public static RawH2 open(TestGateway gw) throws Exception {
    SSLSocket s =
        (SSLSocket) gw.sslContext().getSocketFactory().createSocket("127.0.0.1", gw.httpsPort());
    SSLParameters p = s.getSSLParameters();
    p.setApplicationProtocols(new String[] {"h2"});
    s.setSSLParameters(p);
    s.setSoTimeout(3000);
    s.startHandshake();
    if (!"h2".equals(s.getApplicationProtocol())) {
      s.close();
      throw new IOException("the gateway did not negotiate h2");
    }
    return new RawH2(s);
  }

  /** Connects, then waits for the server's SETTINGS and acknowledges them (as h2spec does). */
  public static RawH2 handshake(TestGateway gw) throws Exception {
    RawH2 c = connect(gw);
    while (true) {
      Frame f = c.read();
      if (f == null) {
        throw new IOException("closed during the HTTP/2 handshake");
      }
      if (f.type() == SETTINGS && (f.flags() & ACK) == 0) {
        c.frame(SETTINGS, ACK, 0, new byte[0]);
        return c;
      }
    }
  }

  /** Returns the bytes of one frame. */
  public static byte[] bytes(int type, int flags, int stream, byte[] payload) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(9 + payload.length);
    b.write(payload.length >>> 16);
    b.write(payload.length >>> 8);
    b.write(payload.length);
    b.write(type);
    b.write(flags);
    b.write(stream >>> 24);
    b.write(stream >>> 16);
    b.write(stream >>> 8);
    b.write(stream);
    b.writeBytes(payload);
    return b.toByteArray();
  }

  /** Writes one frame; a write the server refused (it closed) is ignored. */
  public void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    write(bytes(type, flags, stream, payload));
  }

  /** Writes raw bytes; a write the server refused (it closed) is ignored. */
  public void write(byte[] bytes) throws IOException {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      // closed by the server part way: what it sent is still read afterwards
    }
  }

  /** The HPACK block of a GET (or {@code method}) request with the given extra headers. */
  public byte[] block(String method, String path, @Nullable String authority, Map<String, String> h)
      throws Http2Exception {
    Http2Headers headers = new DefaultHttp2Headers(false);
    headers.method(method).scheme("https").path(path);
    if (authority != null) {
      headers.authority(authority);
    }
    h.forEach((k, v) -> headers.add(k, v));
    return block(headers);
  }

  /** The HPACK block of any header list, pseudo-headers included, as given. */
  public byte[] block(Http2Headers headers) throws Http2Exception {
    ByteBuf buf = Unpooled.buffer();
    try {
      encoder.encodeHeaders(0, headers, buf);
      return ByteBufUtil.getBytes(buf);
    } finally {
      buf.release();
    }
  }

  /** Sends a HEADERS frame with END_HEADERS, and END_STREAM when {@code end}. */
  public void headers(int stream, boolean end, byte[] block) throws IOException {
    frame(HEADERS, END_HEADERS | (end ? END_STREAM : 0), stream, block);
  }

  /** Sends a GET for {@code path} on {@code stream} with :authority {@code localhost}. */
  public void get(int stream, String path) throws Exception {
    headers(stream, true, block("GET", path, "localhost", Map.of()));
  }

  /** Reads the next frame, or null when the server closed (or said nothing for 3 seconds). */
  public @Nullable Frame read() throws IOException {
    if (closed) {
      return null;
    }
    try {
      int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int stream = in.readInt() & 0x7fffffff;
      byte[] payload = new byte[length];
      in.readFully(payload);
      Http2Headers headers = null;
      if (type == HEADERS) {
        // PADDED (0x8): a pad length first and padding last; PRIORITY (0x20): 5 bytes first.
        int from = (flags & 0x8) != 0 ? 1 : 0;
        int pad = (flags & 0x8) != 0 ? payload[0] & 0xff : 0;
        from += (flags & 0x20) != 0 ? 5 : 0;
        ByteBuf buf = Unpooled.wrappedBuffer(payload, from, payload.length - from - pad);
        try {
          headers = decoder.decodeHeaders(stream, buf);
        } catch (Http2Exception e) {
          throw new IllegalStateException(
              "bad header block from the server: flags "
                  + flags
                  + " "
                  + io.netty.buffer.ByteBufUtil.hexDump(payload),
              e);
        }
      }
      return new Frame(type, flags, stream, payload, headers);
    } catch (SocketTimeoutException e) {
      return null; // silent: the connection is still open
    } catch (EOFException e) {
      closed = true;
      return null;
    } catch (IOException e) {
      closed = true; // reset by the server after its GOAWAY
      return null;
    }
  }

  /** Reads every frame until the server closes or stays silent for 3 seconds. */
  public List<Frame> readAll() throws IOException {
    List<Frame> frames = new ArrayList<>();
    for (Frame f = read(); f != null; f = read()) {
      frames.add(f);
    }
    return frames;
  }

  /** Reads until the stream ends, is reset, or the connection goes away. */
  public Response response(int stream) throws IOException {
    int status = -1;
    Http2Headers headers = null;
    StringBuilder body = new StringBuilder();
    while (true) {
      Frame f = read();
      if (f == null) {
        return new Response(status, headers, body.toString(), -1, -1);
      }
      if (f.type() == GOAWAY) {
        return new Response(status, headers, body.toString(), -1, f.errorCode());
      }
      if (f.stream() != stream) {
        continue;
      }
      if (f.type() == RST_STREAM) {
        return new Response(status, headers, body.toString(), f.errorCode(), -1);
      }
      if (f.type() == HEADERS && f.headers() != null && status < 0) {
        headers = f.headers();
        status = Integer.parseInt(String.valueOf(f.headers().status()));
      } else if (f.type() == DATA) {
        body.append(new String(f.payload(), StandardCharsets.UTF_8));
      }
      if ((f.flags() & END_STREAM) != 0) {
        return new Response(status, headers, body.toString(), -1, -1);
      }
    }
  }

  /** Whether the server has closed the connection (a read met its end, not just silence). */
  public boolean closed() {
    return closed;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
