package dev.bulwark.exchange;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/** Builds the one error body clients ever see: {@code {"error","status","requestId"}}. */
public final class ErrorJson {
  /** The content type of every gateway-made error. */
  public static final String CONTENT_TYPE = "application/json";

  private ErrorJson() {}

  /** Returns the JSON error body for a status, public error text and request id. */
  public static Buffer body(int status, String error, String requestId) {
    return body(status, error, requestId, "");
  }

  /** Returns the JSON error body with extra members (a JSON fragment) after the base ones. */
  public static Buffer body(int status, String error, String requestId, String details) {
    StringBuilder sb =
        new StringBuilder(64 + error.length() + requestId.length() + details.length());
    sb.append("{\"error\":\"");
    JsonStringEncoder.getInstance().quoteAsString(error, sb);
    sb.append("\",\"status\":").append(status).append(",\"requestId\":\"");
    JsonStringEncoder.getInstance().quoteAsString(requestId, sb);
    sb.append('"');
    if (!details.isEmpty()) {
      sb.append(',').append(details);
    }
    sb.append('}');
    return Buffer.buffer(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Returns the generic public text for a status. */
  public static String textFor(int status) {
    return switch (status) {
      case 400 -> "bad request";
      case 404 -> "not found";
      case 405 -> "method not allowed";
      case 408 -> "request timeout";
      case 413 -> "payload too large";
      case 414 -> "uri too long";
      case 415 -> "unsupported media type";
      case 417 -> "expectation failed";
      case 431 -> "request header fields too large";
      case 500 -> "internal error";
      case 501 -> "not implemented";
      case 502 -> "bad gateway";
      case 503 -> "service unavailable";
      case 504 -> "gateway timeout";
      case 505 -> "http version not supported";
      default -> status >= 500 ? "internal error" : "request refused";
    };
  }
}
