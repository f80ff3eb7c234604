package dev.bulwark.exchange;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A typed slot for per-request state on an {@link Exchange}, declared once (a {@code static final}
 * field) by the code that owns the state: the authenticated caller, the rate-limit outcome. Each
 * key gets the next slot of the exchange's attribute array, so a lookup is an array read.
 *
 * @param <T> the type of the value kept under this key
 */
public final class AttributeKey<T> {
  private static final AtomicInteger COUNT = new AtomicInteger();

  private final String name;
  final int id;

  private AttributeKey(String name) {
    this.name = requireNonNull(name, "name");
    this.id = COUNT.getAndIncrement();
  }

  /** Returns a new key; declare it once, in a {@code static final} field of its owner. */
  public static <T> AttributeKey<T> of(String name) {
    return new AttributeKey<>(name);
  }

  /** Returns how many keys exist, the size an exchange's attribute array starts at. */
  static int count() {
    return COUNT.get();
  }

  /** Returns the name given at declaration (for traces and test messages). */
  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return name;
  }
}
