package dev.bulwark.pipeline;

import dev.bulwark.config.ServerConfig;
import dev.bulwark.exchange.DecisionTrace;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.RequestIds;
import dev.bulwark.exchange.RequestView;
import dev.bulwark.policy.Stage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * The decision traces of the last {@code N} exchanges ({@code server.explain-recent}), for the
 * admin API's {@code GET /explain/{request-id}}: a bounded ring written at each exchange's end,
 * oldest overwritten first. Off by default; when off, {@link #start()} returns null, no exchange
 * carries a trace and nothing is allocated for it. Written by every event loop, read by the admin
 * listener; each held decision is immutable.
 *
 * <p>An id that left the ring is remembered (as a 64-bit fingerprint, the last {@code 4 N} of them)
 * so that the answer can say "no longer held" rather than "unknown". Request ids come from the
 * gateway, or from a trusted proxy's {@code X-Request-Id}: two exchanges may then share an id, and
 * every decision held under it is answered, newest first, each with its client address.
 */
public final class RecentDecisions {
  /** The most decisions a gateway keeps. */
  public static final int MAX = ServerConfig.MAX_EXPLAIN_RECENT;

  /** Steps kept per decision: a route's stages and their notes fit with room to spare. */
  static final int MAX_STEPS = 48;

  /** Characters kept per step: a note quoting a request value is cut there. */
  static final int MAX_TEXT = 160;

  private static final String TURN_ON =
      "explain for recent requests is off: set server.explain-recent (1 to "
          + MAX
          + ", e.g. 1000) in the configuration and restart, and the last N decisions are kept";

  private final int capacity;
  private final Clock clock;
  private final AtomicReferenceArray<Held> slots;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLongArray gone;
  private final AtomicLong goneCount = new AtomicLong();

  private RecentDecisions(int capacity, Clock clock) {
    this.capacity = capacity;
    this.clock = clock;
    this.slots = new AtomicReferenceArray<>(capacity);
    this.gone = new AtomicLongArray(capacity * 4);
  }

  /** Returns a ring that keeps nothing (explain for recent requests is off). */
  public static RecentDecisions off() {
    return new RecentDecisions(0, Clock.systemUTC());
  }

  /**
   * Returns a ring of the last {@code capacity} decisions (0: {@link #off()}), stamped with {@code
   * clock}'s time.
   */
  public static RecentDecisions of(int capacity, Clock clock) {
    if (capacity < 0 || capacity > MAX) {
      throw new IllegalArgumentException(
          "capacity: " + capacity + " (expected: between 0 and " + MAX + ")");
    }
    return new RecentDecisions(capacity, clock);
  }

  /** Returns how many decisions are kept (0 when off). */
  public int capacity() {
    return capacity;
  }

  /**
   * Returns a trace that records one exchange into this ring when the exchange ends, or null when
   * the ring is off (the caller attaches nothing).
   */
  public @Nullable DecisionTrace start() {
    return capacity == 0 ? null : new Recording(this);
  }

  /** Keeps the decision of an exchange that is over, when a recording trace is attached to it. */
  public static void ended(Exchange ex) {
    if (ex.trace() instanceof Recording r) {
      r.end(ex);
    }
  }

  private void put(long n, Held h) {
    Held old = slots.getAndSet((int) (n % capacity), h);
    if (old != null) {
      gone.set((int) (goneCount.getAndIncrement() % gone.length()), fingerprint(old.id()));
    }
  }

  /** Returns the decisions held under {@code id}, newest first (empty when none is). */
  List<Held> held(String id) {
    List<Held> out = new ArrayList<>(1);
    for (int i = 0; i < capacity; i++) {
      Held h = slots.get(i);
      if (h != null && h.id().equals(id)) {
        out.add(h);
      }
    }
    out.sort(Comparator.comparingLong(Held::sequence).reversed());
    return out;
  }

  /** What the admin API answers: a status, a content type and a body. */
  public record Answer(int status, String contentType, String body) {}

  /**
   * Answers {@code GET /explain/{id}}: 200 with every decision held under the id (JSON, or the
   * lines of {@code bulwark explain} when {@code text}), else 404 saying whether the id left the
   * ring, was never seen, or the ring is off.
   */
  public Answer explain(String id, boolean text) {
    if (capacity == 0) {
      return missing(404, "explain is off", TURN_ON);
    }
    if (!RequestIds.isWellFormed(id)) {
      return missing(404, "unknown", "not a request id (expected: 1-64 of A-Z a-z 0-9 - _ .)");
    }
    List<Held> found = held(id);
    if (found.isEmpty()) {
      return hasLeft(id)
          ? missing(
              404,
              "no longer held",
              "request "
                  + id
                  + " has left the last "
                  + capacity
                  + " decisions kept (server.explain-recent)")
          : missing(
              404,
              "unknown",
              "no request "
                  + id
                  + " among the last "
                  + capacity
                  + " decisions, nor among those that left them");
    }
    if (text) {
      StringBuilder sb = new StringBuilder();
      for (Held h : found) {
        sb.append(sb.length() == 0 ? "" : "\n");
        for (String line : h.lines()) {
          sb.append(line).append('\n');
        }
      }
      return new Answer(200, "text/plain; charset=utf-8", sb.toString());
    }
    JsonArray decisions = new JsonArray();
    for (Held h : found) {
      decisions.add(h.json());
    }
    return new Answer(
        200,
        "application/json",
        new JsonObject().put("requestId", id).put("decisions", decisions).encode());
  }

  private boolean hasLeft(String id) {
    long f = fingerprint(id);
    for (int i = 0; i < gone.length(); i++) {
      if (gone.get(i) == f) {
        return true;
      }
    }
    return false;
  }

  private static Answer missing(int status, String error, String detail) {
    return new Answer(
        status,
        "application/json",
        new JsonObject().put("error", error).put("status", status).put("detail", detail).encode());
  }

  /** A 64-bit FNV-1a fingerprint of an id, never 0 (0 marks an empty slot). */
  static long fingerprint(String id) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < id.length(); i++) {
      h ^= id.charAt(i);
      h *= 0x100000001b3L;
    }
    return h | 1;
  }

  /** One exchange's decision as held: what was asked, each step, and how it ended. */
  record Held(
      long sequence,
      String id,
      Instant time,
      String method,
      String path,
      String host,
      String client,
      String route,
      List<TraceLines.Step> steps,
      int status,
      String outcome,
      String stage,
      String policy,
      String reason) {

    List<String> lines() {
      List<String> out = new ArrayList<>(steps.size() + 3);
      out.add(new TraceLines.Step("id", id + " at " + time).line());
      out.add(TraceLines.requestLine(method, path, host, client));
      for (TraceLines.Step s : steps) {
        out.add(s.line());
      }
      out.add(TraceLines.resultLine(status, outcome, stage, policy, reason));
      return out;
    }

    JsonObject json() {
      JsonArray s = new JsonArray();
      for (TraceLines.Step step : steps) {
        s.add(new JsonObject().put("step", step.step()).put("text", step.text()));
      }
      return new JsonObject()
          .put("time", time.toString())
          .put(
              "request",
              new JsonObject()
                  .put("method", method)
                  .put("path", path)
                  .put("host", host)
                  .put("client", client))
          .put("route", route)
          .put(
              "result",
              new JsonObject()
                  .put("status", status)
                  .put("outcome", outcome)
                  .put("stage", stage)
                  .put("policy", policy)
                  .put("reason", reason))
          .put("steps", s)
          .put("text", String.join("\n", lines()));
    }
  }

  /**
   * The trace of one live exchange: its steps as {@code bulwark explain} writes them, and its
   * verdict; held in the ring once the exchange ends. Touched only by the exchange's event loop.
   */
  private static final class Recording implements DecisionTrace {
    private final RecentDecisions ring;
    private final TraceLines lines = new TraceLines(MAX_STEPS, MAX_TEXT);
    private @Nullable String outcome;
    private @Nullable String stage;
    private boolean held;

    Recording(RecentDecisions ring) {
      this.ring = ring;
    }

    void end(Exchange ex) {
      if (held) {
        return;
      }
      held = true;
      String by = ex.decidedBy();
      String how = outcome;
      String where = stage;
      if (how == null) {
        how = ex.decision(); // ended without a verdict: a dropped client, a client gone
      }
      PipelineRoute route = (PipelineRoute) ex.route();
      if (where == null) {
        // Outside the stages: a client check (a ban), the request gate's refusals on the route of
        // unmatched requests (edge policies only, no upstream), else the gateway.
        if (!by.equals(StagePipeline.GATEWAY)) {
          where = TraceLines.stageName(Stage.BANS.name());
        } else if (route.upstream() == null && route.policyCount() == route.edgeCount()) {
          where = "routing";
        } else {
          where = "gateway";
        }
      }
      RequestView r = ex.request();
      String reason = ex.denyReason();
      long n = ring.written.getAndIncrement();
      ring.put(
          n,
          new Held(
              n,
              ex.requestId(),
              ring.clock.instant(),
              r.method(),
              r.path(),
              r.host(),
              r.clientAddress(),
              route.name(),
              lines.steps(),
              ex.status(),
              how,
              where,
              by,
              reason == null ? "" : reason));
    }

    @Override
    public void routed(String route, String why) {
      lines.routed(route, why);
    }

    @Override
    public void entered(String stage, String policy) {
      lines.entered(stage, policy);
    }

    @Override
    public void proceeded(String stage, String policy) {
      lines.proceeded(stage, policy);
    }

    @Override
    public void denied(@Nullable String stage, String by, int status, String reason) {
      verdict("denied", stage);
      lines.denied(stage, by, status, reason);
    }

    @Override
    public void answered(@Nullable String stage, String by, int status) {
      verdict("answered", stage);
      lines.answered(stage, by, status);
    }

    @Override
    public void forwarded(String route, String upstream) {
      verdict("forwarded", null);
      lines.forwarded(route, upstream);
    }

    @Override
    public void note(String by, String detail) {
      lines.note(by, detail);
    }

    private void verdict(String how, @Nullable String stageConstant) {
      outcome = how;
      stage = stageConstant == null ? null : TraceLines.stageName(stageConstant);
    }
  }
}
