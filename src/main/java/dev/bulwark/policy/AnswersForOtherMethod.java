package dev.bulwark.policy;

import dev.bulwark.exchange.RequestView;
import org.jspecify.annotations.Nullable;

/**
 * A policy that answers, itself, a request asking about another method than its own (a CORS
 * preflight: {@code OPTIONS} asking about the method in {@code Access-Control-Request-Method}).
 * Such a request is routed by the method it asks about, but only to a route whose chain holds a
 * policy of the same kind, which answers it and never forwards it; otherwise it is routed by its
 * own method.
 */
public interface AnswersForOtherMethod {
  /** Returns the method the request asks about, or null when it asks about none. */
  @Nullable String askedMethod(RequestView request);
}
