package dev.bulwark.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code -c/--config} option shared by the commands that read a configuration file. */
final class ConfigFileOption {
  @Option(
      names = {"-c", "--config"},
      required = true,
      description = "Configuration file (YAML).")
  @SuppressWarnings("NullAway.Init")
  Path file;
}
