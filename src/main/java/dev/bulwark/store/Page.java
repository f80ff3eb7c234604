package dev.bulwark.store;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of a listing in id order: its items, and the cursor to pass for the next page (null on
 * the last page).
 */
public record Page<T>(List<T> items, @Nullable String next) {
  public Page {
    items = List.copyOf(requireNonNull(items, "items"));
  }
}
