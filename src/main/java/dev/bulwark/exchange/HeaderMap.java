package dev.bulwark.exchange;

import io.netty.util.AsciiString;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Response headers as policies edit them, whatever server carries them: names are case-insensitive,
 * a name may repeat. What policies set on the way in (a challenge, {@code Allow}) and edit on the
 * way out ({@link ResponseHead#headers()}) goes through this interface.
 */
public interface HeaderMap {
  /** Returns the first value of a header, or null when it is absent. */
  @Nullable String get(CharSequence name);

  /** Returns every value of a header in order (empty when absent). */
  List<String> getAll(CharSequence name);

  /** Returns whether the header is present. */
  boolean contains(CharSequence name);

  /** Replaces every value of a header with one value. */
  HeaderMap set(CharSequence name, CharSequence value);

  /** Adds one more value of a header. */
  HeaderMap add(CharSequence name, CharSequence value);

  /** Removes every value of a header. */
  HeaderMap remove(CharSequence name);

  /** Calls {@code action} with every name and value, in order (a repeated name once per value). */
  void forEach(java.util.function.BiConsumer<String, String> action);

  /**
   * Returns a header name or value prepared once for repeated use: a cached ASCII string that
   * header maps compare and copy without encoding it again. Use it for constants.
   */
  static CharSequence constant(String text) {
    return AsciiString.cached(text);
  }
}
