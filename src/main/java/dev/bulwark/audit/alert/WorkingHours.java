package dev.bulwark.audit.alert;

import static java.util.Objects.requireNonNull;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Set;

/**
 * The hours in which role changes are expected: on {@code days}, from {@code start} (inclusive) to
 * {@code end} (exclusive), in {@code zone}. An end before the start spans midnight ({@code
 * 22:00-06:00}, the night belonging to the day it starts on).
 *
 * @param start the first minute of working hours
 * @param end the first minute after them
 * @param days the working days
 * @param zone the time zone the hours are in
 */
public record WorkingHours(LocalTime start, LocalTime end, Set<DayOfWeek> days, ZoneId zone) {
  /** Monday to Friday, 08:00 to 18:00 UTC. */
  public static final WorkingHours DEFAULT =
      new WorkingHours(
          LocalTime.of(8, 0),
          LocalTime.of(18, 0),
          EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY),
          ZoneId.of("UTC"));

  public WorkingHours {
    requireNonNull(start, "start");
    requireNonNull(end, "end");
    requireNonNull(zone, "zone");
    days = days.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(days));
    if (start.equals(end)) {
      throw new IllegalArgumentException("end: " + end + " (expected: not the start)");
    }
  }

  /** Returns whether {@code when} falls within working hours. */
  public boolean contains(Instant when) {
    ZonedDateTime t = when.atZone(zone);
    LocalTime time = t.toLocalTime();
    if (start.isBefore(end)) {
      return days.contains(t.getDayOfWeek()) && !time.isBefore(start) && time.isBefore(end);
    }
    if (!time.isBefore(start)) {
      return days.contains(t.getDayOfWeek());
    }
    // Before the end, past midnight: the night began on the day before.
    return time.isBefore(end) && days.contains(t.getDayOfWeek().minus(1));
  }
}
