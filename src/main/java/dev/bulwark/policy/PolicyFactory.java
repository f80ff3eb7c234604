package dev.bulwark.policy;

import dev.bulwark.config.ConfigSection;
import java.util.List;

/**
 * One feature, declared once in its own package and listed once in {@link PolicyCatalog}: the
 * configuration section it owns (its keys, where they are written, how they are read with every
 * mistake at its path), the stages its policies run at, and how a configuration compiles into them.
 * The core reads, compiles and describes every feature through this, naming none.
 *
 * @param <C> the value its section reads into
 */
public interface PolicyFactory<C> extends ConfigSection<C> {
  /** Returns the feature's name, as the catalog lists it. */
  String name();

  /** Returns the stages its policies run at, in stage order. */
  List<Stage> stages();

  /**
   * Starts compiling one configuration: gateway-wide work happens here, once; then {@link
   * Compilation#route} is asked for each route, and what serves the whole gateway last.
   */
  Compilation compile(GatewayContext gateway);
}
