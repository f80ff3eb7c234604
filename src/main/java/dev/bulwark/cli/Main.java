package dev.bulwark.cli;

import java.io.PrintWriter;
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
      CertCommand.class,
      TestCommand.class,
      ExplainCommand.class,
      KeysCommand.class,
      BackupCommand.class,
      RestoreCommand.class,
      AuditCommand.class,
      SignCommand.class,
      UsersCommand.class,
      OrgsCommand.class
    })
public final class Main implements Runnable {
  /** Exit status of a command line that could not be parsed (picocli's convention). */
  static final int EXIT_USAGE = 2;

  @CommandLine.Spec
  @SuppressWarnings("NullAway.Init")
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // Process-wide TLS hardening for the JDK engine (BoringSSL refuses renegotiation itself).
    System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
    System.exit(commandLine().execute(args));
  }

  /**
   * Returns the command line with Bulwark's error handling: a usage error is one line (its reason
   * and where the options are listed) instead of the whole help, and an unexpected failure is one
   * line instead of a stack trace.
   */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setParameterExceptionHandler(Main::usageError);
    cli.setExecutionExceptionHandler(
        (e, command, parsed) -> {
          PrintWriter err = command.getErr();
          err.println(
              name(command)
                  + ": unexpected failure ("
                  + (e.getMessage() == null ? "no detail" : e.getMessage())
                  + "); please report it with the command that caused it");
          err.flush();
          return 1;
        });
    return cli;
  }

  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    StringBuilder line = new StringBuilder(name(command)).append(": ").append(e.getMessage());
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      line.append(" (did you mean ").append(String.join(" or ", u.getSuggestions())).append("?)");
    }
    line.append("; see '").append(name(command)).append(" --help'");
    err.println(line);
    err.flush();
    return EXIT_USAGE;
  }

  private static String name(CommandLine command) {
    return command.getCommandSpec().qualifiedName();
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
