package dev.bulwark.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code bulwark} command line: one subcommand per task. */
@Command(
    name = "bulwark",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "A security gateway that enforces a hardening checklist in front of any HTTP backend.",
    subcommands = {
      RunCommand.class,
      DemoCommand.class,
      CheckConfigCommand.class,
      ProbeCommand.class,
      BansCommand.class,
      TokenCommand.class,
      CertCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec
  @SuppressWarnings("NullAway.Init")
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // Process-wide TLS hardening for the JDK engine (BoringSSL refuses renegotiation itself).
    System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
