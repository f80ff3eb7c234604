package dev.bulwark.policy.contract;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One compiled operation (a method on a path): its parameters, its request body media types and its
 * responses by status key ({@code 200}, {@code 2XX}, {@code default}).
 */
record Operation(
    String method,
    String at,
    List<Parameter> parameters,
    Set<String> queryNames,
    boolean bodyDeclared,
    boolean bodyRequired,
    List<MediaType> requestMedia,
    Map<String, List<MediaType>> responses) {

  /** Returns the declared media types of a response status, or null when it is not declared. */
  @Nullable List<MediaType> response(int status) {
    List<MediaType> m = responses.get(Integer.toString(status));
    if (m == null) {
      m = responses.get((status / 100) + "XX");
    }
    if (m == null) {
      m = responses.get("default");
    }
    return m;
  }
}
