package dev.bulwark.pipeline;

import dev.bulwark.exchange.DecisionTrace;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Writes a decision trace as readable lines, one per step: the route and why it matched, each stage
 * entered and its verdict, the notes policies add (which limit counted, which rule decided), and
 * how the request ended. What {@code bulwark explain} prints, what a failed fixture shows, and what
 * the admin API's {@code /explain/{id}} answers for a recent request.
 */
public final class TraceLines implements DecisionTrace {
  /** One step of a trace: its kind ({@code route}, {@code enter}, {@code note}, …) and its text. */
  public record Step(String step, String text) {
    /** Returns the step as one line: the kind in a column of nine, then the text. */
    public String line() {
      return String.format(Locale.ROOT, "%-9s %s", step, text);
    }
  }

  private final List<Step> steps = new ArrayList<>();
  private final int maxSteps;
  private final int maxText;
  private int dropped;

  /** A trace that keeps every step, whatever its length. */
  public TraceLines() {
    this(Integer.MAX_VALUE, Integer.MAX_VALUE);
  }

  /**
   * A trace that keeps at most {@code maxSteps} steps (later ones are counted, then said in one
   * last step) and cuts each text at {@code maxText} characters.
   */
  public TraceLines(int maxSteps, int maxText) {
    if (maxSteps < 1 || maxText < 16) {
      throw new IllegalArgumentException(
          "maxSteps: " + maxSteps + ", maxText: " + maxText + " (expected: >= 1, >= 16)");
    }
    this.maxSteps = maxSteps;
    this.maxText = maxText;
  }

  /** Returns the lines so far. */
  public List<String> lines() {
    List<String> out = new ArrayList<>(steps.size() + 1);
    for (Step s : steps()) {
      out.add(s.line());
    }
    return out;
  }

  /** Returns the steps so far. */
  public List<Step> steps() {
    if (dropped == 0) {
      return List.copyOf(steps);
    }
    List<Step> all = new ArrayList<>(steps);
    all.add(new Step("...", dropped + " more steps not kept"));
    return List.copyOf(all);
  }

  /** Returns the first line of an explanation: the request as the gate saw it. */
  public static String requestLine(String method, String target, String host, String client) {
    return new Step("request", method + " " + target + "  host " + host + "  client " + client)
        .line();
  }

  /**
   * Returns the last line of an explanation: the status, how the request ended ({@code forwarded},
   * {@code denied}, {@code answered}), the stage and policy that decided, and the reason if any.
   */
  public static String resultLine(
      int status, String outcome, String stage, String policy, String reason) {
    return new Step(
            "result",
            status
                + " "
                + outcome
                + " (stage "
                + stage
                + ", policy "
                + policy
                + (reason.isEmpty() ? "" : ": " + reason)
                + ")")
        .line();
  }

  /**
   * Returns the trace name of a stage's constant name ({@code RATE_LIMIT} becomes {@code
   * rate-limit}); null, a decision outside the stages, is {@code gateway}.
   */
  public static String stageName(@Nullable String constant) {
    return constant == null ? "gateway" : constant.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private void add(String step, String text) {
    if (steps.size() >= maxSteps) {
      dropped++;
      return;
    }
    steps.add(new Step(step, text.length() > maxText ? text.substring(0, maxText) + "..." : text));
  }

  @Override
  public void routed(String route, String why) {
    add("route", route + " (" + why + ")");
  }

  @Override
  public void entered(String stage, String policy) {
    add("enter", stageName(stage) + " / " + policy);
  }

  @Override
  public void proceeded(String stage, String policy) {
    add("proceed", stageName(stage) + " / " + policy);
  }

  @Override
  public void denied(@Nullable String stage, String by, int status, String reason) {
    add("deny", status + " by " + stageName(stage) + " / " + by + ": " + reason);
  }

  @Override
  public void answered(@Nullable String stage, String by, int status) {
    add("answer", status + " by " + stageName(stage) + " / " + by);
  }

  @Override
  public void forwarded(String route, String upstream) {
    add("forward", "to " + upstream + " (route " + route + ")");
  }

  @Override
  public void note(String by, String detail) {
    add("note", by + ": " + detail);
  }
}
