package dev.bulwark.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** An organisation: a stable random id, a unique slug (as used in paths), a name. */
public record Organisation(String id, String slug, String name, Instant created) {
  public Organisation {
    requireNonNull(id, "id");
    requireNonNull(slug, "slug");
    requireNonNull(name, "name");
    requireNonNull(created, "created");
  }
}
