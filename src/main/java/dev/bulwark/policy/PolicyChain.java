package dev.bulwark.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Assembles a route's policies into stage order and refuses two policies at one stage. */
public final class PolicyChain {
  private PolicyChain() {}

  /** Returns the policies sorted by stage; throws when two share a stage. */
  public static Policy[] assemble(List<Policy> policies) {
    List<Policy> sorted = new ArrayList<>(policies);
    sorted.sort(Comparator.comparing(Policy::stage));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).stage() == sorted.get(i - 1).stage()) {
        throw new IllegalArgumentException(
            "policies: "
                + sorted.get(i - 1).name()
                + " and "
                + sorted.get(i).name()
                + " both at stage "
                + sorted.get(i).stage());
      }
    }
    return sorted.toArray(new Policy[0]);
  }
}
