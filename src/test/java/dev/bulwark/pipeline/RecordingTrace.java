package dev.bulwark.pipeline;

import dev.bulwark.exchange.DecisionTrace;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A decision trace that writes each step as one line, for tests to compare. */
final class RecordingTrace implements DecisionTrace {
  final List<String> lines = new ArrayList<>();

  @Override
  public void routed(String route, String why) {
    lines.add("routed " + route + " (" + why + ")");
  }

  @Override
  public void entered(String stage, String policy) {
    lines.add("entered " + stage + " " + policy);
  }

  @Override
  public void proceeded(String stage, String policy) {
    lines.add("proceeded " + stage + " " + policy);
  }

  @Override
  public void denied(@Nullable String stage, String by, int status, String reason) {
    lines.add("denied " + stage + " " + by + " " + status + " " + reason);
  }

  @Override
  public void answered(@Nullable String stage, String by, int status) {
    lines.add("answered " + stage + " " + by + " " + status);
  }

  @Override
  public void forwarded(String route, String upstream) {
    lines.add("forwarded " + route + " -> " + upstream);
  }

  @Override
  public void note(String by, String detail) {
    lines.add("note " + by + ": " + detail);
  }
}
