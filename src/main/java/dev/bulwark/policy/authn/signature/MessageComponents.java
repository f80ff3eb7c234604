package dev.bulwark.policy.authn.signature;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A request as a signature covers it: the parts the derived components ({@code @method}, {@code
 * @target-uri}...) are made of, and its header fields by lower-case name.
 */
public interface MessageComponents {
  /** Returns the method as sent, such as {@code POST}. */
  String method();

  /** Returns the scheme in lower case: {@code https} or {@code http}. */
  String scheme();

  /** Returns the authority: lower-case host, and the port unless it is the scheme's default. */
  String authority();

  /** Returns the absolute path ({@code /} when empty). */
  String path();

  /** Returns the query after {@code ?}, or null when the target has no {@code ?}. */
  @Nullable String query();

  /** Returns every value of a header field in order (empty when absent). */
  List<String> header(String lowerCaseName);
}
