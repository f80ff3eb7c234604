package dev.bulwark.cli;

import picocli.CommandLine;

/** Prints Bulwark's version and the versions of the libraries an advisory would name. */
public final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {"bulwark " + implementationVersion()};
  }

  private static String implementationVersion() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
