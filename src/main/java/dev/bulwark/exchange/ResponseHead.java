package dev.bulwark.exchange;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.core.buffer.Buffer;
import org.jspecify.annotations.Nullable;

/**
 * The status and headers of the response about to be written, which response-side policies edit in
 * reverse stage order; the body either streams from the upstream or is a replacement that the
 * gateway wrote (its own error, or a masked upstream error).
 */
public final class ResponseHead {
  private int status;
  private final HeaderMap headers;
  private @Nullable Buffer replacementBody;
  private final boolean fromUpstream;
  private boolean closeConnection;
  private @Nullable BodyFilter bodyFilter;
  private long bodyFilterLimit;

  /** What a body filter decided: the body to send, or null to block (502) for the logged reason. */
  public record Filtered(@Nullable Buffer body, String reason) {
    public static Filtered pass(Buffer body) {
      return new Filtered(body, "");
    }

    public static Filtered block(String reason) {
      return new Filtered(null, reason);
    }
  }

  /** Checks or rewrites a whole upstream body before it is sent (response contracts). */
  @FunctionalInterface
  public interface BodyFilter {
    Filtered apply(Buffer body);
  }

  private ResponseHead(int status, HeaderMap headers, @Nullable Buffer body, boolean fromUpstream) {
    this.status = status;
    this.headers = headers;
    this.replacementBody = body;
    this.fromUpstream = fromUpstream;
  }

  /** Returns the head of an upstream response whose body will stream through. */
  public static ResponseHead fromUpstream(int status, HeaderMap headers) {
    return new ResponseHead(status, headers, null, true);
  }

  /** Returns the head of a response that the gateway writes in full. */
  public static ResponseHead generated(int status, HeaderMap headers, Buffer body) {
    return new ResponseHead(status, headers, body, false);
  }

  public int status() {
    return status;
  }

  public HeaderMap headers() {
    return headers;
  }

  /** Returns whether the upstream produced this response (so its body may still stream). */
  public boolean fromUpstream() {
    return fromUpstream;
  }

  /** Returns the body that replaces the upstream's, or null when the upstream body streams. */
  public @Nullable Buffer replacementBody() {
    return replacementBody;
  }

  /** Replaces status and body with a gateway-made JSON body. */
  public void replaceWithJson(int newStatus, Buffer json) {
    this.status = newStatus;
    this.replacementBody = json;
    headers.remove(HttpHeaderNames.CONTENT_ENCODING);
    headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    headers.remove(HttpHeaderNames.ETAG);
    headers.remove(HttpHeaderNames.LAST_MODIFIED);
    headers.set(HttpHeaderNames.CONTENT_TYPE, ErrorJson.CONTENT_TYPE);
    headers.set(HttpHeaderNames.CONTENT_LENGTH, String.valueOf(json.length()));
  }

  /** Returns whether the connection is closed after this response. */
  public boolean closeConnection() {
    return closeConnection;
  }

  /** Asks for the connection to be closed after this response. */
  public void closeConnection(boolean close) {
    this.closeConnection = close;
  }

  /**
   * Asks for the upstream body to be read whole (at most {@code limit} bytes, else blocked) and
   * passed through {@code filter} before anything is sent.
   */
  public void filterBody(long limit, BodyFilter filter) {
    this.bodyFilter = filter;
    this.bodyFilterLimit = limit;
  }

  public @Nullable BodyFilter bodyFilter() {
    return bodyFilter;
  }

  public long bodyFilterLimit() {
    return bodyFilterLimit;
  }

  /** Replaces the upstream body with a rewritten one of the same type. */
  public void replaceBody(Buffer body) {
    this.replacementBody = body;
    headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    headers.remove(HttpHeaderNames.ETAG);
    headers.set(HttpHeaderNames.CONTENT_LENGTH, String.valueOf(body.length()));
  }
}
