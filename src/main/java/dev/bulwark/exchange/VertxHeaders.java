package dev.bulwark.exchange;

import static java.util.Objects.requireNonNull;

import io.vertx.core.MultiMap;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A {@link HeaderMap} over a Vert.x {@link MultiMap}; {@link VertxRequest} extends it over the
 * response's headers, so the live exchange's adapter stays one object.
 */
public class VertxHeaders implements HeaderMap {
  private final MultiMap headers;

  public VertxHeaders(MultiMap headers) {
    this.headers = requireNonNull(headers, "headers");
  }

  @Override
  public @Nullable String get(CharSequence name) {
    return headers.get(name);
  }

  @Override
  public List<String> getAll(CharSequence name) {
    return headers.getAll(name);
  }

  @Override
  public boolean contains(CharSequence name) {
    return headers.contains(name);
  }

  @Override
  public HeaderMap set(CharSequence name, CharSequence value) {
    headers.set(name, value);
    return this;
  }

  @Override
  public HeaderMap add(CharSequence name, CharSequence value) {
    headers.add(name, value);
    return this;
  }

  @Override
  public HeaderMap remove(CharSequence name) {
    headers.remove(name);
    return this;
  }

  @Override
  public void forEach(java.util.function.BiConsumer<String, String> action) {
    headers.forEach(e -> action.accept(e.getKey(), e.getValue()));
  }
}
