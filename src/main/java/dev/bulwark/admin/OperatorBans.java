package dev.bulwark.admin;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.store.Ban;
import dev.bulwark.store.BanStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Bans made and lifted by an operator, the one path of the ban API and the dashboard: the store is
 * changed first, then the change is published as a {@code ban} or {@code unban} security event that
 * must be stored durably before the change is reported as done.
 */
public final class OperatorBans {
  /** The longest ban an operator may make. */
  public static final Duration MAX_DURATION = Duration.ofDays(365);

  /** The rule name that operator bans carry. */
  static final String RULE = "admin";

  private final BanStore store;
  private final SecurityEvents security;

  /** Changes bans in {@code store}, writing each change to {@code security}. */
  public OperatorBans(BanStore store, SecurityEvents security) {
    this.store = requireNonNull(store, "store");
    this.security = requireNonNull(security, "security");
  }

  /**
   * What a change came to: {@code status} is the HTTP status the ban API answers with ({@code 201}
   * made, {@code 200} lifted, {@code 404} no such ban, {@code 503} not recorded), {@code message}
   * says why when it failed, {@code ban} is the ban made.
   */
  public record Outcome(int status, @Nullable String message, @Nullable Ban ban) {
    /** Returns whether the change was made and recorded. */
    public boolean done() {
      return status < 300;
    }
  }

  /** Returns the active bans, sorted by address. */
  public List<Ban> list() {
    List<Ban> bans = new ArrayList<>(store.list());
    bans.sort((a, b) -> a.address().compareTo(b.address()));
    return bans;
  }

  /**
   * Bans {@code address} (canonical, see {@link #canonical}) for {@code duration}; never fails
   * exceptionally.
   */
  public CompletableFuture<Outcome> ban(
      String address,
      Duration duration,
      String reason,
      String requestId,
      SecurityEvent.Origin origin) {
    CompletableFuture<Outcome> out = new CompletableFuture<>();
    store
        .ban(address, duration, duration, Duration.ofDays(1), reason, RULE)
        .whenComplete(
            (ban, failure) -> {
              if (failure != null) {
                // Our own failures: the store is down, or the ban list is full (max-bans).
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                out.complete(
                    new Outcome(503, "ban not recorded (" + cause.getMessage() + ")", null));
                return;
              }
              // Acknowledged only once the audit trail (when there is one) has it on disk.
              security
                  .publishDurably(
                      SecurityEvent.ban(
                              requestId,
                              address,
                              RULE,
                              Instant.ofEpochMilli(ban.untilMillis()),
                              ban.repeat(),
                              reason)
                          .withOrigin(origin))
                  .whenComplete(
                      (stored, lost) ->
                          out.complete(
                              lost != null
                                  ? new Outcome(
                                      503,
                                      "ban made, but its audit record was not written; check GET"
                                          + " /bans",
                                      ban)
                                  : new Outcome(201, null, ban)));
            });
    return out;
  }

  /** Lifts the ban on {@code address} (canonical); never fails exceptionally. */
  public CompletableFuture<Outcome> unban(
      String address, String requestId, SecurityEvent.Origin origin) {
    CompletableFuture<Outcome> out = new CompletableFuture<>();
    store
        .unban(address)
        .whenComplete(
            (removed, failure) -> {
              if (failure != null) {
                out.complete(new Outcome(503, "store unavailable: ban not lifted", null));
                return;
              }
              if (!removed) {
                out.complete(new Outcome(404, "no active ban for " + address, null));
                return;
              }
              security
                  .publishDurably(SecurityEvent.unban(requestId, address, RULE).withOrigin(origin))
                  .whenComplete(
                      (stored, lost) ->
                          out.complete(
                              lost != null
                                  ? new Outcome(
                                      503,
                                      "ban lifted, but its audit record was not written; check"
                                          + " GET /bans",
                                      null)
                                  : new Outcome(200, null, null)));
            });
    return out;
  }

  /** Returns the canonical form of an address literal (IPv4-mapped as IPv4), or null. */
  public static @Nullable String canonical(@Nullable String literal) {
    return BanApi.canonical(literal);
  }
}
